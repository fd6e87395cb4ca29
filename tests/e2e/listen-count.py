#!/usr/bin/python3
"""listen-count.py READY COUNT: listen on 127.0.0.1, an ephemeral port;
write the port to READY; then for every connection accepted, write how
many there have been to COUNT, then close it. A node that must never be
reached points here."""
import os
import socket
import sys

ready, count = sys.argv[1:3]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
n = 0
with open(count, "w") as f:
    f.write("0\n")
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(ready + ".tmp", ready)
while True:
    c, _ = s.accept()
    n += 1
    with open(count + ".tmp", "w") as f:
        f.write("%d\n" % n)
    os.rename(count + ".tmp", count)
    c.close()   # after the count: the client sees EOF once it is written
