"""Time the renderer on the worst inputs we know, at 12.5 to 100 KB: time should grow in step with size.

Run: DJANGO_SETTINGS_MODULE=iop_site.settings.test .venv/bin/python bench/preview_worst_case.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from faq.rendering import RenderContext, render_markdown  # noqa: E402

UNITS = {"brackets": "[", "images": "![", "open-links": "[a](", "emphasis": "*a **b ", "quotes": "> "}
SIZES = [12_500, 25_000, 50_000, 100_000]

print(f"{'input':<12}" + "".join(f"{size:>10,}" for size in SIZES) + "   seconds per size (characters)")
for name, unit in UNITS.items():
    row = []
    for size in SIZES:
        text = (unit * size)[:size]
        started = time.perf_counter()
        render_markdown(text, RenderContext())
        row.append(time.perf_counter() - started)
    print(f"{name:<12}" + "".join(f"{seconds:>10.2f}" for seconds in row))
