"""Time the scripted phone booking: from "Beleg buchen" on the start page to the booked page,
on a 375 × 812 phone in Chromium, with a 2 MB photo; print the seconds and the taps.

Runs tests/e2e/test_phone_booking.py::test_scripted_phone_booking_with_a_two_megabyte_photo
(against pytest-django's live server) a few times and reports each run and the median.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/e2e/test_phone_booking.py::test_scripted_phone_booking_with_a_two_megabyte_photo"


def main(runs: int = 3) -> None:
    results = []
    for _ in range(runs):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            report = handle.name
        env = {**os.environ, "PHONE_BOOKING_REPORT": report}
        subprocess.run(
            [sys.executable, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        results.append(json.loads(Path(report).read_text()))
        Path(report).unlink()
    for r in results:
        print(f"{r['seconds']:.2f} s, {r['taps']} taps, photo {r['photo_bytes'] / 1e6:.2f} MB")
    print(f"median {statistics.median(r['seconds'] for r in results):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
