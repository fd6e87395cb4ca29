#!/usr/bin/python3
"""Test certificate authority for okta-k8s's HTTPS test servers.

Shared by tests/oidc/provider.py and tests/oidc/apiserver.py; also a command:

    testca.py DIR [--name NAME] [--ip IP]... [--dns NAME]...

makes (or keeps) a CA in DIR and issues a fresh server certificate, and prints
the paths.  Files in DIR:

  ca.pem       the CA certificate (what a client trusts: okta-k8s's
               oidc.ca_file, kube-apiserver's --oidc-ca-file, curl --cacert)
  ca.key       the CA's private key (mode 0600)
  server.pem   the server certificate, signed by the CA (SAN: the IPs and
               DNS names asked for; 127.0.0.1 and localhost by default)
  server.key   its private key (mode 0600)

The CA is made once and kept (a server restarted on the same DIR keeps its
clients' trust); the server certificate is issued again at every call, so
it always names the addresses in use.  Keys are ECDSA P-256 (quick to make;
Go's crypto/x509, OpenSSL and Python's ssl all accept them).  Creation is
serialised by flock(2) on DIR/.lock, and every file is written to a temporary
name and renamed, so two servers sharing a DIR never see half a file.
Needs Debian's python3-cryptography.

issue_microk8s(DIR, node_ips) makes the certificates as MicroK8s makes its
apiserver's (see "MicroK8s's own certificates" below): the cluster CA (CN
10.152.183.1, what a node holds as $SNAP_DATA/certs/ca.crt) and a server
certificate holding only MicroK8s's names and addresses and the node's own
IPs, never a host name.  tests/oidc/apiserver.py serves with it.

It also holds what both servers share to serve HTTPS (class Server, class
Handler, write_ready, Log): bound to a loopback address only (127.0.0.0/8;
anything else is refused), one thread per connection, at most MAX_CONNS at a
time (more are closed at once), the TLS handshake done in the connection's
thread, a socket timeout on every connection (IDLE_TIMEOUT), request bodies
of at most MAX_BODY bytes, HTTP/1.1 keep-alive.  SIGTERM stops a server;
its ready file is removed then.  With --exit-with-parent (serve's
exit_with_parent) a server also stops within a second once the process that
started it is gone, so an interrupted test leaves nothing running.
"""

import argparse
import datetime
import fcntl
import http.server
import ipaddress
import json
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading
import traceback

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.pem"
CA_KEY = "ca.key"
SERVER_FILE = "server.pem"
SERVER_KEY = "server.key"
DEFAULT_IPS = ("127.0.0.1",)
DEFAULT_DNS = ("localhost",)


def write_atomic(path, data, mode=0o644):
    """Write bytes to path through a temporary file and a rename."""
    if isinstance(data, str):
        data = data.encode()
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _name(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "okta-k8s tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _make_ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(_name(cn))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def load_or_make_ca(directory, cn="okta-k8s test CA"):
    """(certificate, key) of the CA in directory, made when missing."""
    os.makedirs(directory, exist_ok=True)
    ca_path = os.path.join(directory, CA_FILE)
    key_path = os.path.join(directory, CA_KEY)
    with open(os.path.join(directory, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(ca_path) and os.path.exists(key_path):
            with open(ca_path, "rb") as f:
                cert = x509.load_pem_x509_certificate(f.read())
            with open(key_path, "rb") as f:
                key = serialization.load_pem_private_key(f.read(), None)
            return cert, key
        cert, key = _make_ca(cn)
        write_atomic(key_path, _key_pem(key), 0o600)
        write_atomic(ca_path, cert.public_bytes(serialization.Encoding.PEM))
        return cert, key


def issue_server(directory, ips=DEFAULT_IPS, dns=DEFAULT_DNS,
                 cert_name=SERVER_FILE, key_name=SERVER_KEY):
    """Issue a server certificate for ips and dns names with the CA of
    directory (made when missing); returns (ca_path, cert_path, key_path)."""
    ca_cert, ca_key = load_or_make_ca(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    alt = []
    seen = set()
    for ip in ips:
        addr = ipaddress.ip_address(ip)
        if addr not in seen:
            seen.add(addr)
            alt.append(x509.IPAddress(addr))
    for name in dns:
        if name not in seen:
            seen.add(name)
            alt.append(x509.DNSName(name))
    if not alt:
        raise ValueError("a server certificate needs at least one name")
    cn = str(ips[0]) if ips else dns[0]
    now = _now()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path = os.path.join(directory, cert_name)
    key_path = os.path.join(directory, key_name)
    write_atomic(key_path, _key_pem(key), 0o600)
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return os.path.join(directory, CA_FILE), cert_path, key_path


# --------------------------------------------------------------------------
# MicroK8s's own certificates
# --------------------------------------------------------------------------
#
# As canonical/microk8s makes them (microk8s-resources/actions/common/
# utils.sh: produce_certs, render_csr_conf, gen_server_cert; the template is
# microk8s-resources/certs/csr.conf.template):
#   - the cluster CA, $SNAP_DATA/certs/ca.crt: an RSA 2048 key (genrsa
#     2048), `openssl req -x509 -days 3650 -subj /CN=10.152.183.1` with
#     basicConstraints=critical,CA:TRUE, keyUsage=critical,keyCertSign,
#     cRLSign, subjectKeyIdentifier=hash, authorityKeyIdentifier=
#     keyid:always,issuer;
#   - the apiserver's certificate, $SNAP_DATA/certs/server.crt: an RSA 2048
#     key, subject C=GB, ST=L=O=OU=Canonical, CN=127.0.0.1, signed by the CA
#     for 365 days with the template's v3_ext: authorityKeyIdentifier=
#     keyid,issuer:always, basicConstraints=CA:FALSE, keyUsage=
#     keyEncipherment,dataEncipherment,digitalSignature, extendedKeyUsage=
#     serverAuth,clientAuth, and subjectAltName: DNS kubernetes,
#     kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.
#     cluster, kubernetes.default.svc.cluster.local, IP 127.0.0.1,
#     10.152.183.1, then "#MOREIPS" replaced by the node's own addresses
#     (get_ips: `hostname -I` without 169.254.x.x and CNI addresses), as
#     IP.3, IP.4, ...  Never a host name: not the node's, not an alias.

MICROK8S_CA_CN = "10.152.183.1"
MICROK8S_DNS = ("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster",
                "kubernetes.default.svc.cluster.local")
MICROK8S_IPS = ("127.0.0.1", "10.152.183.1")


def _rsa2048():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _make_microk8s_ca():
    key = _rsa2048()
    now = _now()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, MICROK8S_CA_CN)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    serial = x509.random_serial_number()
    cert = (x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier(
                ski.digest, [x509.DirectoryName(name)], serial), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def microk8s_csr_conf(alt):
    """The alt_names section of the csr.conf that render_csr_conf makes
    (DNS.1.., IP.1..) for the subjectAltName entries alt."""
    lines, n_dns, n_ip = [], 0, 0
    for a in alt:
        if isinstance(a, x509.DNSName):
            n_dns += 1
            lines.append("DNS.%d = %s" % (n_dns, a.value))
        else:
            n_ip += 1
            lines.append("IP.%d = %s" % (n_ip, a.value))
    return "[ alt_names ]\n" + "\n".join(lines) + "\n"


def issue_microk8s(directory, node_ips=(), extra=(), dns=MICROK8S_DNS,
                   days=365):
    """A server certificate as MicroK8s makes $SNAP_DATA/certs/server.crt
    (see above) for a node whose own addresses are node_ips, signed by the
    cluster CA of directory (made like MicroK8s's ca.crt when directory has
    no CA yet; kept otherwise, as MicroK8s keeps ca.crt).  extra: more IPs
    or DNS names, as a user adds them to csr.conf.template; dns: the
    template's DNS names (a hand-edited template may hold others); days:
    the certificate's validity (MicroK8s's -days 365).  Files:
    ca.pem, ca.key, server.pem, server.key, csr.conf (the rendered
    alt_names).  Returns (ca_path, cert_path, key_path)."""
    os.makedirs(directory, exist_ok=True)
    ca_path = os.path.join(directory, CA_FILE)
    ca_key_path = os.path.join(directory, CA_KEY)
    with open(os.path.join(directory, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (os.path.exists(ca_path) and os.path.exists(ca_key_path)):
            cert, key = _make_microk8s_ca()
            write_atomic(ca_key_path, _key_pem(key), 0o600)
            write_atomic(ca_path, cert.public_bytes(serialization.Encoding.PEM))
    ca_cert, ca_key = load_or_make_ca(directory)
    alt = [x509.DNSName(n) for n in dns]
    seen = set()
    for ip in list(MICROK8S_IPS) + list(node_ips):
        addr = ipaddress.ip_address(ip)
        if addr not in seen:
            seen.add(addr)
            alt.append(x509.IPAddress(addr))
    for name in extra:
        try:
            addr = ipaddress.ip_address(name)
        except ValueError:
            alt.append(x509.DNSName(name))
            continue
        if addr not in seen:
            seen.add(addr)
            alt.append(x509.IPAddress(addr))
    key = _rsa2048()
    now = _now()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Canonical"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "Canonical"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Canonical"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Canonical"),
        x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1"),
    ])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.AuthorityKeyIdentifier(
                ca_ski.digest, [x509.DirectoryName(ca_cert.issuer)],
                ca_cert.serial_number), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False,
                key_encipherment=True, data_encipherment=True,
                key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=False)
            .add_extension(x509.ExtendedKeyUsage([
                ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path = os.path.join(directory, SERVER_FILE)
    key_path = os.path.join(directory, SERVER_KEY)
    write_atomic(key_path, _key_pem(key), 0o600)
    write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    write_atomic(os.path.join(directory, "csr.conf"),
                 microk8s_csr_conf(alt))
    return ca_path, cert_path, key_path


# --------------------------------------------------------------------------
# serving HTTPS on loopback
# --------------------------------------------------------------------------

MAX_CONNS = 64
IDLE_TIMEOUT = 10
MAX_BODY = 1 << 20


def loopback(host):
    """host when it is an IPv4 address in 127.0.0.0/8, else ValueError."""
    try:
        addr = ipaddress.IPv4Address(host)
    except ValueError:
        raise ValueError("%s: not an IPv4 address (loopback only)" % host)
    if not addr.is_loopback:
        raise ValueError("%s: not a loopback address (127.0.0.0/8 only)" % host)
    return str(addr)


class Log:
    """One line per event, appended to a file (or nowhere), thread-safe."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def __call__(self, text):
        if not self.path:
            return
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line = "%s %s\n" % (stamp, text.replace("\n", " | "))
        with self.lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """A threaded HTTPS server on a loopback address."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = MAX_CONNS

    def __init__(self, host, port, handler, cert, key, log):
        self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ssl_context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.ssl_context.load_cert_chain(cert, key)
        self.slots = threading.BoundedSemaphore(MAX_CONNS)
        self.log = log
        super().__init__((loopback(host), port), handler)

    parent_pid = None   # exit when the parent process changes (--exit-with-parent)

    def service_actions(self):
        if self.parent_pid is not None and os.getppid() != self.parent_pid:
            self.log("the parent process is gone")
            raise SystemExit(0)

    def server_bind(self):
        # HTTPServer.server_bind looks the host name up; not wanted here.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.log("%s refused: too many connections" % client_address[0])
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address):
        err = sys.exc_info()[1]
        if isinstance(err, (OSError, ssl.SSLError)):
            self.log("%s connection error: %s: %s" % (
                client_address[0], type(err).__name__, err))
        else:   # a bug in a handler: the whole traceback
            self.log("%s internal error: %s" % (
                client_address[0], traceback.format_exc().strip()))


class Handler(http.server.BaseHTTPRequestHandler):
    """Base request handler: TLS in the connection's thread, timeouts, and
    helpers to read a body and send an answer (which is logged)."""

    protocol_version = "HTTP/1.1"
    server_version = "okta-k8s-test"
    sys_version = ""
    timeout = IDLE_TIMEOUT

    def setup(self):
        self.request.settimeout(self.timeout)
        self.request = self.server.ssl_context.wrap_socket(
            self.request, server_side=True)
        self.notes = []
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            try:
                self.request.close()
            except OSError:
                pass

    def log_message(self, fmt, *args):  # BaseHTTPRequestHandler's own log
        pass

    def note(self, text):
        """Add text to this request's log line."""
        self.notes.append(text)

    def read_body(self):
        """The request body as bytes, or None after answering an error."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0:
            self.send_text(400, "bad Content-Length\n")
            return None
        if n > MAX_BODY:
            self.close_connection = True
            self.send_text(413, "request body too large\n")
            return None
        return self.rfile.read(n)

    def _read_chunked(self):
        data = b""
        while True:
            line = self.rfile.readline(100)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                self.send_text(400, "bad chunk\n")
                return None
            if size == 0:
                while self.rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                    pass
                return data
            if len(data) + size > MAX_BODY:
                self.close_connection = True
                self.send_text(413, "request body too large\n")
                return None
            data += self.rfile.read(size)
            self.rfile.readline(10)

    def send(self, status, body, ctype, headers=()):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.server.log("%s %s %s %d%s" % (
            self.client_address[0], self.command, self.path.split("?")[0],
            status, "".join(" " + n for n in self.notes)))

    def send_json(self, status, obj, headers=()):
        self.send(status, json.dumps(obj, indent=2) + "\n",
                  "application/json", headers)

    def send_text(self, status, text, headers=()):
        self.send(status, text, "text/plain; charset=utf-8", headers)

    def drop(self, why):
        """Close the connection without an answer (a server that is down)."""
        self.server.log("%s %s %s dropped: %s" % (
            self.client_address[0], self.command, self.path.split("?")[0], why))
        self.close_connection = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def write_ready(path, text):
    if path:
        write_atomic(path, text + "\n")


def serve(server, ready_file, ready_text, exit_with_parent=False):
    """Serve until SIGTERM or SIGINT (or the parent's end, when asked);
    the ready file is written once listening and removed at the end."""
    if exit_with_parent:
        server.parent_pid = os.getppid()
    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        write_ready(ready_file, ready_text)
        server.log("listening on %s" % ready_text)
        server.serve_forever(poll_interval=0.5)
    except SystemExit as e:
        code = 0 if e.code in (128 + signal.SIGTERM, 128 + signal.SIGINT) else e.code
    finally:
        server.log("stopping")
        server.server_close()
        if ready_file:
            try:
                os.unlink(ready_file)
            except OSError:
                pass
    return code


def remove_stale(path):
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def main(argv):
    p = argparse.ArgumentParser(
        prog="testca.py",
        description="Make a test CA (kept) and a fresh server certificate in DIR.")
    p.add_argument("dir")
    p.add_argument("--ip", action="append", default=[],
                   help="an IP address for the SAN (repeatable; default 127.0.0.1)")
    p.add_argument("--dns", action="append", default=[],
                   help="a DNS name for the SAN (repeatable; default localhost)")
    a = p.parse_args(argv)
    ips = a.ip or ([] if a.dns else list(DEFAULT_IPS))
    dns = a.dns or ([] if a.ip else list(DEFAULT_DNS))
    try:
        paths = issue_server(a.dir, ips, dns)
    except (OSError, ValueError) as e:
        print("testca.py: %s" % e, file=sys.stderr)
        return 1
    print("\n".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
