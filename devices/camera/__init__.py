"""The hall's cameras (issue 12): where pictures come from (sources.py), people counted in a
waiting area (detect.py), appointment QR codes read (qr.py), faces blurred in the one
calibration picture (privacy.py) that snapshot.py takes, the worker that reports the count
(worker.py), and the `camera count` / `camera qr` commands on image files (commands.py)."""
