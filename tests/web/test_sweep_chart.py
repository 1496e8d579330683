"""The Sweep page's chart: inline SVG on the page and the same chart at /sweep.svg."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

Q = "from=400&to=1000&step=300&currency=USD&market=us"


def test_sweep_chart_inline_and_at_its_own_url(client):
    page = client.get(f"/sweep?{Q}")
    assert page.status_code == 200
    inline = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page.text)[1])
    assert ET.fromstring(inline).tag == "{http://www.w3.org/2000/svg}svg"
    assert f'href="/sweep.svg?{Q.replace("&", "&amp;")}"' in page.text
    r = client.get(f"/sweep.svg?{Q}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.content == inline  # one chart, however it is reached
    assert b"currentColor" in r.content  # ink follows the viewer's light or dark scheme


def test_sweep_chart_without_a_range_is_one_line_text(client):
    r = client.get("/sweep.svg?from=900&to=100&step=100&market=us")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/plain")
    assert "at least the first" in r.text
