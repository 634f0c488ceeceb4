"""python -m services.evaluation"""

from services.evaluation.bootstrap import build
from shared import runtime, settings

if __name__ == "__main__":
    runtime.run(build(settings.load("evaluation")))
