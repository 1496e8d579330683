"""Full-page screenshots of every web page at 1280 px and 390 px wide.

Not a test and not run by ``make test``: a tool for looking at the pages
(issue 15 asks for every page to be looked at on a desktop and a phone).
It serves the app on 127.0.0.1 the way tests/web/test_browser.py does
(uvicorn in a thread, Debian's Chromium through Playwright), visits each
page at both widths and writes ``<name>-<width>.png`` to the folder given
(default /tmp/dlrig-shots). It prints, per shot, the HTTP status, the page
height and whether the page is wider than the window (a horizontal scroll
on a phone is the usual layout bug).

    .venv/bin/python benchmarks/screenshots.py [OUT] [--db /tmp/shots.db]

``--db`` names a database with the imported catalog (see ``dlrig catalog
import open-db`` and ``dlrig prices import pcpp``); the Build picker and
GPUs pages are then also taken over it, with an ``imported-`` prefix.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = (1280, 390)
PLAN = "/plan?market=us&budget=1500&workload=llm-finetune"
HISTORY_PART = "gpu/nvidia-geforce-rtx-3090-founders-edition"

# Pages over the built-in catalog: (name, address). An address starting with "@" is
# worked out from the plan result page (see _follow), so the Check, Swap and Build
# pages show the build a user would arrive with.
PAGES = (
    ("home", "/"),
    ("plan-empty", "/plan"),
    ("plan-result", PLAN),
    ("plan-infeasible", "/plan?market=us&budget=300&workload=llm-finetune"),
    ("plan-bad-input", "/plan?market=us&budget=abc"),
    ("sweep", "/sweep?market=us&from=600&to=2400&step=300&workload=llm-finetune"),
    ("gpus", "/gpus?market=us"),
    ("prices-empty", "/prices"),
    ("prices-history", f"/prices?part={HISTORY_PART}"),
    ("check-empty", "/check"),
    ("check-result", "@check"),
    ("check-unknown-part", "/check?p=cpu/nope"),
    ("swap-gpu", "@swap"),
    ("build-empty", "/build?market=us"),
    ("build-partial", "@build-partial"),
    ("build-full", "@build"),
    ("build-pick-gpu", "/build/pick/gpu?market=us"),
    ("build-pick-gpu-filtered", "/build/pick/gpu?market=us&vram=24&price_max=2000"),
    ("build-pick-cpu", "@pick-cpu"),
    ("build-bad-part", "/build?p=nope"),
    ("error-404", "/no-such-page"),
    ("error-422", "/build/pick/gpu?market=us&price_max=abc"),
)
IMPORTED = (
    ("imported-gpus", "/gpus?market=us"),
    ("imported-build-empty", "/build?market=us"),
    ("imported-build-pick-gpu", "/build/pick/gpu?market=us"),
    ("imported-build-pick-gpu-filtered", "/build/pick/gpu?market=us&vram=24&price_max=2000"),
)

MEASURE = """() => {
  const d = document.documentElement;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > d.clientWidth + 1 && !el.closest('.scroll')) {
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
    }
  }
  const scrolls = [...document.querySelectorAll('.scroll')].filter(e => e.scrollWidth > e.clientWidth + 1).length;
  return {height: d.scrollHeight, width: d.scrollWidth, client: d.clientWidth,
          wide: [...new Set(wide)].slice(0, 6), scrolls};
}"""


def serve(app):
    """``dlrig.web.threadserver.serve``, ending the script in one line when it fails."""
    from dlrig.web.threadserver import serve as start

    try:
        return start(app, start_timeout_s=30)
    except RuntimeError as e:
        sys.exit(str(e))


def _follow(page, base: str, key: str) -> str:
    """The address behind one of the plan result's links (a build a user would carry on with)."""
    page.goto(base + PLAN)
    build = page.get_attribute("#edit-build", "href")
    query = parse_qsl(urlsplit(build).query)
    if key == "check":
        return page.locator('a[href^="/check?"]').last.get_attribute("href")  # "Check it"
    if key == "swap":
        return page.get_attribute("#swap-link", "href") + "&slot=gpu"
    if key == "build":
        return build
    parts = [(k, v) for k, v in query if k == "p"]
    rest = [(k, v) for k, v in query if k != "p"]
    if key == "build-partial":  # the GPU, the board and the case: CPU, memory, PSU... still empty
        keep = [(k, v) for k, v in parts if v.split("/")[0] in ("gpu", "motherboard", "case")]
        return "/build?" + urlencode(keep + rest)
    if key == "pick-cpu":  # choosing a CPU for the board already in the list
        keep = [(k, v) for k, v in parts if v.split("/")[0] == "motherboard"]
        return "/build/pick/cpu?" + urlencode(keep + rest)
    raise ValueError(key)


def shoot(browser, base: str, pages, out: Path) -> list[tuple]:
    """Screenshot each page at each width; return one summary row per shot."""
    rows = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    resolver = ctx.new_page()
    resolver.set_default_timeout(60_000)
    resolved = [(n, _follow(resolver, base, a[1:]) if a.startswith("@") else a) for n, a in pages]
    ctx.close()
    for width in WIDTHS:
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        for name, address in resolved:
            t0 = time.perf_counter()
            resp = page.goto(base + address, wait_until="networkidle")
            secs = time.perf_counter() - t0
            m = page.evaluate(MEASURE)
            path = out / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            rows.append((name, width, resp.status if resp else None, m["height"],
                         m["width"] > m["client"], m["scrolls"], ", ".join(m["wide"]), secs, address))
        ctx.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default="/tmp/dlrig-shots", type=Path,
                    help="folder for the PNGs (default /tmp/dlrig-shots)")
    ap.add_argument("--db", type=Path, help="a database with the imported catalog")
    ap.add_argument("--only", help="take only pages whose name contains this")
    args = ap.parse_args(argv)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from dlrig.web import create_app

    args.out.mkdir(parents=True, exist_ok=True)
    keep = (lambda ps: [p for p in ps if args.only in p[0]]) if args.only else list
    servers = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        # A database that does not exist yet: the built-in catalog (as the browser tests do).
        servers.append((serve(create_app(db=Path(tmp) / "dlrig.db")), keep(PAGES)))
        if args.db:
            if not args.db.is_file():
                sys.exit(f"no database at {args.db}")
            servers.append((serve(create_app(db=args.db)), keep(IMPORTED)))
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        rows = []
        for srv, pages in servers:
            base = srv.url
            rows += shoot(browser, base, pages, args.out)
        browser.close()
        for srv, _ in servers:
            srv.stop()
    print(f"{'page':34} {'width':>5} {'status':>6} {'height':>7} {'too wide':>8} "
          f"{'scrollers':>9}  {'secs':>5}  elements past the right edge")
    for name, width, status, height, too_wide, scrolls, wide, secs, _ in rows:
        print(f"{name:34} {width:5} {status!s:>6} {height:7} {'YES' if too_wide else 'no':>8} "
              f"{scrolls:9}  {secs:5.1f}  {wide}")
    print(f"\n{len(rows)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
