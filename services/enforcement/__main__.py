"""python -m services.enforcement"""

from services.enforcement.bootstrap import build
from shared import runtime, settings

if __name__ == "__main__":
    runtime.run(build(settings.load("enforcement")))
