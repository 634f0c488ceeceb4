"""python -m services.monitoring"""

from services.monitoring.bootstrap import build
from shared import runtime, settings

if __name__ == "__main__":
    runtime.run(build(settings.load("monitoring")))
