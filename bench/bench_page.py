"""The seed's listening page in headless Chromium: load-to-interactive time and size.

python bench/bench_page.py [--cache-dir DIR] [--out DIR] [--runs N]

Renders the seed with espeak (about a minute the first time; the clip cache in
--cache-dir is reused), writes its page, then opens it from file:// in
Debian's chromium N times and reports:

- load-to-interactive: from navigation start to the page's ``page-ready``
  mark (its script has made every sentence a control and set up seeking,
  search and following); goal: under 1 s.
- size: the page against the render's transcript HTML; goal: within the
  transcript HTML + 40 KB (1 KB = 1,000 bytes).
- axe-core (tests/browser) violations for WCAG 2.0/2.1/2.2 A and AA; goal 0.

Beside it, a naive baseline: the same audio with the manifest embedded as
JSON and the transcript built in the browser from it (one button per
sentence), the page one would write by hand from our files.
"""

from __future__ import annotations

import argparse
import html
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUDGET = 40_000

NAIVE_SCRIPT = """
const box = document.getElementById('t');
for (const u of M.utterances) {
  const b = document.createElement('button');
  b.textContent = u.speaker + ': ' + u.display;
  b.onclick = () => {
    const a = document.getElementById('a');
    a.currentTime = u.start_ms / 1000;
    a.play();
  };
  box.appendChild(b);
}
document.documentElement.setAttribute('data-ready', '');
performance.mark('page-ready');
"""


def render_seed(out: Path, cache: Path) -> tuple[Path, Path]:
    """The seed's page and transcript HTML (rendered with espeak, then published)."""
    import tts_export
    from tts_export.output.manifest import transcript_fields
    from tts_export.output.publish import write_page
    from tts_export.transcript import read_transcript

    result = tts_export.render(
        SEED,
        engine="espeak",
        out_dir=out,
        cache_dir=cache,
        captions_formats=("srt", "vtt", "json", "txt", "html"),
    )
    manifest_path = result.files["manifest"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if "turns" not in manifest:  # until the export stage passes the transcript to the manifest
        manifest.update(transcript_fields(read_transcript(SEED)))
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return write_page(out / result.stem), result.files["html"]


def naive_page(page: Path) -> Path:
    """The baseline: the manifest embedded as JSON, the transcript built from it in the browser."""
    manifest = page.with_name(page.stem + ".manifest.json").read_text(encoding="utf-8")
    data = json.loads(manifest)
    embedded = manifest.replace("</", "<\\/")  # no "</script>" inside the script
    text = (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(str(data.get('title')))}</title></head><body>"
        f'<audio id="a" controls src="{html.escape(data["audio"])}"></audio><div id="t"></div>'
        f"<script>const M = {embedded};{NAIVE_SCRIPT}</script>"
        "</body></html>"
    )
    path = page.with_name(page.stem + ".naive.html")
    path.write_text(text, encoding="utf-8")
    return path


def measure(context: Any, page: Path, runs: int) -> list[float]:
    """Navigation start to the ``page-ready`` mark, in ms, over ``runs`` fresh tabs."""
    times = []
    for _ in range(runs):
        tab = context.new_page()
        tab.goto(page.as_uri())
        tab.wait_for_selector("html[data-ready]")
        times.append(
            float(tab.evaluate("() => performance.getEntriesByName('page-ready')[0].startTime"))
        )
        tab.close()
    return times


def axe_violations(context: Any, page: Path) -> int | None:
    if not AXE.is_file():
        return None
    tab = context.new_page()
    tab.goto(page.as_uri())
    tab.wait_for_selector("html[data-ready]")
    tab.add_script_tag(path=str(AXE))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
    result = tab.evaluate("t => axe.run(document, {runOnly: {type: 'tag', values: t}})", tags)
    tab.close()
    for v in result["violations"]:
        print(f"  axe: {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
    return len(result["violations"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=ROOT / ".cache" / "bench-page")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-page")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    page, transcript = render_seed(args.out, args.cache_dir)
    naive = naive_page(page)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        measure(context, page, 1)  # warm the browser's caches once, for both pages alike
        figures = {
            name: measure(context, path, args.runs)
            for name, path in (("page", page), ("naive", naive))
        }
        violations = axe_violations(context, page)
        browser.close()

    size, base = page.stat().st_size, transcript.stat().st_size
    print(f"seed: {SEED.name}; page {page}")
    print(f"{'':8}{'ready median':>14}{'max':>10}{'size':>12}{'vs transcript HTML':>22}")
    for name, path in (("page", page), ("naive", naive)):
        t = figures[name]
        extra = path.stat().st_size - base
        print(
            f"{name:8}{statistics.median(t):11.0f} ms{max(t):7.0f} ms"
            f"{path.stat().st_size / 1000:9.1f} KB{extra / 1000:+18.1f} KB"
        )
    print(
        f"transcript HTML {base / 1000:.1f} KB; budget +{BUDGET / 1000:.0f} KB: "
        f"{'within' if size <= base + BUDGET else 'OVER'} "
        f"(margin {(base + BUDGET - size) / 1000:.1f} KB)"
    )
    print(
        f"load-to-interactive goal < 1000 ms: "
        f"{'met' if max(figures['page']) < 1000 else 'NOT met'} (max of {args.runs})"
    )
    print(
        "axe violations (WCAG 2.x A/AA):",
        "not run (npm ci --prefix tests/browser)" if violations is None else violations,
    )
    if violations or size > base + BUDGET:
        sys.exit(1)


if __name__ == "__main__":
    main()
