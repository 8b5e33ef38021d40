"""The Celery side of the job benchmark: a no-op task returning when it started."""
import time

from celery import Celery

app = Celery("bench", broker="redis://127.0.0.1:6399/0", backend="redis://127.0.0.1:6399/1")
app.conf.worker_prefetch_multiplier = 1
app.conf.task_acks_late = True


@app.task
def noop(submitted):
    return time.time()
