"""python -m services.risk"""

from services.risk.bootstrap import build
from shared import runtime, settings

if __name__ == "__main__":
    runtime.run(build(settings.load("risk")))
