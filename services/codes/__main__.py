"""python -m services.codes"""

from services.codes.bootstrap import build
from shared import runtime, settings

if __name__ == "__main__":
    runtime.run(build(settings.load("codes")))
