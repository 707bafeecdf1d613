"""The words and the style sheet of the HTML report, in English and Chinese.

Shared by the page (:mod:`.html`) and its figures (:mod:`.html_figures`).
"""

from __future__ import annotations

import html
from typing import Any

from ..render.diagrams import GAP_LINE
from .matrix import MATRIX_CSS

FONT_STACK = '"Noto Sans CJK SC", "Noto Sans", sans-serif'
MONO_STACK = '"DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace'


def esc(text: Any) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


CSS = f"""
* {{ box-sizing: border-box; }}
body {{ font-family: {FONT_STACK}; margin: 0; color: #1f1f1f; background: #fff; line-height: 1.45; }}
header.report {{ padding: 20px 28px; border-bottom: 4px solid #999; background: #f7f7f7; }}
header.report.fail {{ border-bottom-color: {GAP_LINE}; background: #fff5f5; }}
header.report.pass {{ border-bottom-color: #38761d; background: #f3faf0; }}
header.report h1 {{ margin: 0 0 6px; font-size: 22px; }}
.verdict {{ display: inline-block; font-weight: 700; font-size: 18px; padding: 2px 12px; border-radius: 4px;
  color: #fff; margin-right: 10px; }}
.verdict.fail {{ background: {GAP_LINE}; }}
.verdict.pass {{ background: #38761d; }}
.counts {{ display: inline; font-size: 15px; }}
.counts span {{ margin-right: 14px; }}
.count-error {{ color: #b00000; font-weight: 600; }}
.count-warning {{ color: #9a5b00; font-weight: 600; }}
.count-info {{ color: #1c5b8f; font-weight: 600; }}
.meta {{ color: #555; font-size: 13px; margin: 6px 0 0; }}
nav.toc {{ font-size: 13px; margin-top: 8px; }}
nav.toc a {{ margin-right: 14px; }}
main {{ padding: 8px 28px 28px; }}
h2 {{ font-size: 19px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; }}
code, .mono {{ font-family: {MONO_STACK}; font-size: 0.92em; }}
code {{ background: #f1f1f1; padding: 0 3px; border-radius: 3px; }}
a {{ color: #1155cc; }}
table.finding-index {{ border-collapse: collapse; font-size: 13px; margin-bottom: 16px; }}
table.finding-index th, table.finding-index td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: left;
  vertical-align: top; }}
table.finding-index th {{ background: #f3f3f3; }}
article.finding {{ border: 1px solid #ddd; border-left: 6px solid #999; border-radius: 4px; padding: 10px 16px;
  margin: 14px 0; }}
article.finding.sev-error {{ border-left-color: #cc0000; }}
article.finding.sev-warning {{ border-left-color: #e69138; }}
article.finding.sev-info {{ border-left-color: #3d85c6; }}
article.finding h3 {{ margin: 0 0 6px; font-size: 16px; }}
.sev {{ display: inline-block; font-size: 12px; font-weight: 700; text-transform: uppercase; padding: 1px 7px;
  border-radius: 3px; color: #fff; background: #999; margin-right: 6px; vertical-align: 1px; }}
.sev-error .sev, .sev.sev-error {{ background: #cc0000; }}
.sev-warning .sev, .sev.sev-warning {{ background: #e69138; }}
.sev-info .sev, .sev.sev-info {{ background: #3d85c6; }}
.message {{ font-size: 15px; margin: 4px 0 8px; }}
dl.facts {{ display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; font-size: 13.5px; }}
dl.facts dt {{ color: #555; }}
dl.facts dd {{ margin: 0; }}
ol.trace {{ font-size: 13.5px; margin: 4px 0 8px; }}
ol.trace .loc {{ color: #666; font-size: 12px; margin-left: 8px; }}
.help {{ background: #eef6ea; border-radius: 3px; padding: 6px 10px; font-size: 13.5px; }}
figure.diagram {{ margin: 18px 0 26px; }}
figure.diagram figcaption {{ font-weight: 600; margin-bottom: 6px; }}
.svg-wrap {{ overflow-x: auto; border: 1px solid #e3e3e3; border-radius: 4px; padding: 6px; background: #fff; }}
.svg-wrap svg {{ display: block; height: auto; }}
.diagram-legend {{ font-size: 12.5px; color: #444; }}
.diagram-legend .sw {{ display: inline-block; width: 12px; height: 12px; vertical-align: -1px; border: 1px solid #888;
  margin: 0 4px 0 12px; }}
.diagram-legend .sw:first-child {{ margin-left: 0; }}
pre.mermaid-src {{ background: #f6f6f6; border: 1px solid #ddd; padding: 10px; overflow-x: auto; font-size: 12px; }}
.note {{ background: #fff8e1; border: 1px solid #f1d27a; border-radius: 4px; padding: 8px 12px; font-size: 13.5px; }}
.matrix-wrap {{ overflow-x: auto; }}
footer {{ color: #777; font-size: 12px; padding: 10px 28px 24px; }}
@media print {{
  .svg-wrap {{ overflow: visible; border: none; }}
  .svg-wrap svg {{ width: 100% !important; }}
  .matrix-wrap {{ overflow: visible; }}
  article.finding {{ break-inside: avoid; }}
  a {{ color: inherit; text-decoration: none; }}
}}
{MATRIX_CSS}
"""
