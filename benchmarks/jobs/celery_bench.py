"""Celery 5 + Redis doing what kiln-bench-jobs does: a burst of no-op tasks, then one at a time."""
import statistics
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from celery_tasks import noop  # noqa: E402

burst = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
start = time.time()
results = [noop.delay(time.time()) for _ in range(burst)]
for result in results:
    result.get(timeout=300)
elapsed = time.time() - start
latencies = []
for _ in range(200):
    submitted = time.time()
    started = noop.delay(submitted).get(timeout=30)
    latencies.append((started - submitted) * 1000)
    time.sleep(0.005)
latencies.sort()
print(f"celery burst {burst} jobs: {burst / elapsed:.0f} jobs/s; enqueue→start median {statistics.median(latencies):.2f} ms, "
      f"p99 {latencies[len(latencies) * 99 // 100]:.2f} ms (n=200)")
