"""Page weight: the bytes a page costs a phone, compressed, on a first visit and on a repeat one.

    .venv/bin/python bench/pages.py --base http://127.0.0.1:8142 --user dispatcher --paths '/console/?queue=new'
    .venv/bin/python bench/pages.py --user worker01 --phone --paths /m/ /m/report/

With --base it measures a server already running. Without it, it starts its own as production
runs one: DEBUG off, collectstatic (WhiteNoise's pre-compressed files under hashed names, sent
with a far-future max-age), gunicorn, on a throwaway SQLite database holding the demo town
(seed_demo: about a minute), and stops it and removes its data at the end. The two differ
where the HTTP cache matters: a DEBUG runserver sends static files under their plain names with
max-age=0, so the browser asks again for each, and as GZipMiddleware weakened the ETag that
WhiteNoise compares byte for byte, each comes back whole (compressed) rather than as a 304;
production's hashed files are taken from the cache without asking.

For each page, a fresh browser context (empty HTTP cache, no service worker) holding the session
of --user loads the page and waits for the network to go quiet and for a service worker, if the
page registers one, to be ready: the first load. The same context then loads the page again:
the repeat visit. Counted is every response the page took from the network, as sent on the
wire (Chromium's encodedDataLength: headers and compressed body); a response served by the
service worker or from the browser's cache counts 0. Not counted: other hosts (map tiles), tile
URLs, and photos (/incidents/photos/, /media/). What a service worker fetches for itself (its
precache, on the first load) is shown apart as "sw". Needs Playwright and Debian's Chromium.
Prints figures; judges nothing.
"""

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
NOT_COUNTED = re.compile(r"/incidents/photos/|/media/|/tiles?/|[./]tile\.|\{z\}", re.I)
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "user_agent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36",
}
SERVICE_WORKER_READY = """async (seconds) => {
  if (!("serviceWorker" in navigator) || !(await navigator.serviceWorker.getRegistration())) return false;
  await Promise.race([navigator.serviceWorker.ready, new Promise((resolve) => setTimeout(resolve, seconds * 1000))]);
  return true;
}"""


@dataclass
class Resource:
    url: str
    kind: str = ""
    status: int = 0
    bytes: int = 0
    source: str = "network"  # or "service worker", "cache"


@dataclass
class Load:
    resources: dict[str, Resource] = field(default_factory=dict)
    worker_bytes: int = 0  # fetched by the service worker for itself

    def counted(self) -> list[Resource]:
        return [r for r in self.resources.values() if r.source == "network"]

    def total(self) -> int:
        return sum(r.bytes for r in self.counted())


class Network:
    """Chromium's own account of each response the page got, through the DevTools protocol."""

    def __init__(self, context, page, host: str):
        self.host = host
        self.load = Load()
        self.worker_requests = []
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._sent)
        session.on("Network.responseReceived", self._received)
        session.on("Network.requestServedFromCache", lambda e: self._source(e["requestId"], "cache"))
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")
        # Requests a service worker makes itself are not the page's: Playwright sees them.
        context.on("requestfinished", lambda request: request.service_worker and self.worker_requests.append(request))

    def take(self) -> Load:
        for request in self.worker_requests:
            if self._counts(request.url):
                sizes = request.sizes()
                self.load.worker_bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        load, self.load, self.worker_requests = self.load, Load(), []
        return load

    def _counts(self, url: str) -> bool:
        return urlsplit(url).hostname == self.host and not NOT_COUNTED.search(url)

    def _sent(self, event):
        redirect = event.get("redirectResponse")
        key = event["requestId"]
        if redirect and key in self.load.resources:
            # The hop that answered with a redirect keeps its bytes under a name of its own.
            hop = self.load.resources.pop(key)
            hop.status, hop.bytes = redirect["status"], int(redirect.get("encodedDataLength", 0))
            self.load.resources[f"{key}/{len(self.load.resources)}"] = hop
        if self._counts(event["request"]["url"]):
            self.load.resources[key] = Resource(url=event["request"]["url"], kind=event.get("type", ""))

    def _received(self, event):
        resource = self.load.resources.get(event["requestId"])
        if resource is None:
            return
        response = event["response"]
        resource.status = response["status"]
        if response.get("fromServiceWorker"):
            resource.source = "service worker"
        elif response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            resource.source = "cache"

    def _source(self, key: str, source: str):
        if key in self.load.resources:
            self.load.resources[key].source = source

    def _finished(self, event):
        resource = self.load.resources.get(event["requestId"])
        if resource is not None:
            resource.bytes = int(event["encodedDataLength"]) if resource.source == "network" else 0


def kb(count: int) -> str:
    return f"{count / 1024:.1f}"


def log_in(browser, base: str, user: str, password: str, context_options: dict) -> dict:
    """The logged-in browser state (cookies), from the login form as a person would use it."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(urljoin(base, "/accounts/login/"), wait_until="networkidle")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    if "/login" in urlsplit(page.url).path:
        sys.exit(f"could not log in as {user}: still on {page.url}")
    state = context.storage_state()
    context.close()
    return state


def visit(page, network: Network, url: str, settle_seconds: float) -> tuple[int | None, bool, Load]:
    response = page.goto(url, wait_until="networkidle", timeout=60_000)
    worker = page.evaluate(SERVICE_WORKER_READY, 10)
    page.wait_for_timeout(settle_seconds * 1000)
    return (response.status if response else None), worker, network.take()


def measure(browser, base: str, path: str, *, state: dict | None, context_options: dict, settle_seconds: float, largest: int) -> dict:
    context = browser.new_context(storage_state=state, **context_options)
    page = context.new_page()
    network = Network(context, page, urlsplit(base).hostname)
    url = urljoin(base, path)
    status, worker, first = visit(page, network, url, settle_seconds)
    ended_at = urlsplit(page.url).path
    _status, _worker, repeat = visit(page, network, url, settle_seconds)
    context.close()
    return {"path": path, "status": status, "ended_at": ended_at, "service_worker": worker, "first": first, "repeat": repeat,
            "largest": sorted(first.counted(), key=lambda r: -r.bytes)[:largest]}


def report(results: list[dict]) -> None:
    """Each load twice over: what the page took from the network, and what its service worker
    fetched meanwhile (its precache on a first visit, the page itself when it goes to the network
    first); the total of the two is what the phone paid."""
    print(f"{'page':36} {'status':>6} {'first: page + sw = total KB':>28} {'repeat: page + sw = total KB':>29} {'requests':>9}")
    for result in results:
        first, repeat = result["first"], result["repeat"]
        requests = f"{len(first.counted())}/{len(repeat.counted())}"
        print(f"{result['path'][:36]:36} {result['status'] or '-':>6} "
              f"{kb(first.total()):>10} + {kb(first.worker_bytes):>5} = {kb(first.total() + first.worker_bytes):>6} "
              f"{kb(repeat.total()):>11} + {kb(repeat.worker_bytes):>5} = {kb(repeat.total() + repeat.worker_bytes):>6} {requests:>9}")
        if result["ended_at"] != urlsplit(result["path"]).path:
            print(f"    ended at {result['ended_at']}")
        if result["service_worker"]:
            print("    a service worker is registered")
        for resource in result["largest"]:
            print(f"    {kb(resource.bytes):>7} KB  {resource.kind or '?':10} {resource.status}  {resource.url[:110]}")
        revisited = [r for r in repeat.counted() if r.bytes]
        if revisited:
            print("    fetched again on the repeat visit: " + ", ".join(
                f"{urlsplit(r.url).path.rsplit('/', 1)[-1] or urlsplit(r.url).path} {r.status} {kb(r.bytes)} KB" for r in revisited[:8])
                  + (" …" if len(revisited) > 8 else ""))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path) -> tuple[str, subprocess.Popen]:
    """A production-like server on a throwaway database holding the demo town."""
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        GOVGRID_DATA_DIR=str(data_dir), STATIC_ROOT=str(data_dir / "static"), DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost,127.0.0.1", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0",
    )
    python = sys.executable
    for step in (["migrate", "--noinput", "-v0"], ["seed_demo"], ["collectstatic", "--noinput", "-v0"]):
        print(f"server: manage.py {' '.join(step)} (in {data_dir})", flush=True)
        done = subprocess.run([python, "manage.py", *step], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"server: manage.py {step[0]} failed\n{done.stdout}{done.stderr}")
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "govgrid.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # localhost, not 127.0.0.1: the session cookie is Secure with DEBUG off, and Chromium keeps
    # Secure cookies over plain HTTP for localhost only.
    base = f"http://localhost:{port}"
    for _ in range(60):
        try:
            urlopen(base + "/accounts/login/", timeout=2)
            return base, server
        except OSError:
            if server.poll() is not None:
                sys.exit("server: gunicorn exited")
            time.sleep(0.5)
    server.terminate()
    sys.exit("server: no answer in 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="URL of a running server; without it, one is started (see above)")
    parser.add_argument("--user", help="log in as this user first (demo password by default)")
    parser.add_argument("--password", default="govgrid-demo")
    parser.add_argument("--phone", action="store_true", help="a phone: 360×640, touch, a phone's user agent")
    parser.add_argument("--paths", nargs="+", required=True, help="pages to load, e.g. /m/ '/console/?queue=new'")
    parser.add_argument("--largest", type=int, default=5, help="resources listed per page (default 5)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to wait after the network is quiet (default 1)")
    args = parser.parse_args()

    server = None
    base = args.base
    data_dir = None if base else Path(tempfile.mkdtemp(prefix="govgrid-pages-"))
    context_options = {"locale": "zh-CN", **(PHONE if args.phone else {"viewport": {"width": 1280, "height": 800}})}
    try:
        if data_dir:
            base, server = start_server(data_dir)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            state = log_in(browser, base, args.user, args.password, context_options) if args.user else None
            results = [
                measure(browser, base, path, state=state, context_options=context_options, settle_seconds=args.settle, largest=args.largest)
                for path in args.paths
            ]
            browser.close()
    finally:
        if server:
            server.terminate()
            server.wait(timeout=20)
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"{base} as {args.user or 'nobody'}{', phone 360×640' if args.phone else ''}: bytes from the network, compressed, "
          "without map tiles and photos")
    report(results)


if __name__ == "__main__":
    main()
