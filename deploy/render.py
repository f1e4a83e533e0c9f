#!/usr/bin/env python3
"""Write the nginx site and the systemd units for one server from the templates beside this script.

    sudo python3 deploy/render.py --server-name iop.example.org --root /

writes /etc/nginx/sites-available/iop.conf, /etc/nginx/snippets/iop-security-headers.conf and the units in
/etc/systemd/system/. Every other option has the default the README uses; `--root DIR` writes the same tree
under DIR instead of /, to look at first (the tests render into a temporary folder). Standard library only.
"""

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")

# template (beside this script) -> where it goes, relative to --root
FILES = {
    "nginx/iop.conf.in": "{nginx_dir}/sites-available/iop.conf",
    "nginx/iop-security-headers.conf": "{nginx_dir}/snippets/iop-security-headers.conf",
    "systemd/iop.socket.in": "{systemd_dir}/iop.socket",
    "systemd/iop.service.in": "{systemd_dir}/iop.service",
    "systemd/iop-deploy.service.in": "{systemd_dir}/iop-deploy.service",
    "systemd/iop-jobs.service.in": "{systemd_dir}/iop-jobs.service",
    "systemd/iop-jobs.timer.in": "{systemd_dir}/iop-jobs.timer",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-name", required=True, help="the site's host name, e.g. iop.example.org")
    parser.add_argument("--root", type=Path, default=Path("/"), help="write the files under this folder (default /)")
    parser.add_argument("--app-dir", default="/srv/iop/app", help="the code checkout, with .venv (default %(default)s)")
    parser.add_argument("--state-dir", default="/var/lib/iop", help="database and backups (default %(default)s)")
    parser.add_argument("--env-file", default="/etc/iop/iop.env", help="the settings file (default %(default)s)")
    parser.add_argument("--user", default="iop", help="the account the app runs as (default %(default)s)")
    parser.add_argument("--socket", default="/run/iop/gunicorn.sock", help="gunicorn's socket (default %(default)s)")
    parser.add_argument("--certificate", help="default: certbot's /etc/letsencrypt/live/SERVER_NAME/fullchain.pem")
    parser.add_argument("--certificate-key", help="default: certbot's /etc/letsencrypt/live/SERVER_NAME/privkey.pem")
    parser.add_argument("--acme-root", default="/var/www/html", help="certbot's --webroot (default %(default)s)")
    parser.add_argument("--nginx-dir", default="/etc/nginx", help="(default %(default)s)")
    parser.add_argument("--nginx-user", default="www-data", help="nginx's worker account (default %(default)s)")
    parser.add_argument("--cache-dir", default="/var/lib/nginx/iop-cache", help="the micro-cache (default %(default)s)")
    parser.add_argument("--log-dir", default="/var/log/nginx", help="nginx's access log (default %(default)s)")
    parser.add_argument("--systemd-dir", default="/etc/systemd/system", help="(default %(default)s)")
    parser.add_argument(
        "--listen",
        action="append",
        help="an address nginx listens on; repeatable (default: every IPv4 and IPv6 address)",
    )
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    args = parser.parse_args(argv)
    if not HOST_NAME.match(args.server_name):
        parser.error(f"--server-name {args.server_name!r} is not a host name like iop.example.org (lower case)")
    for name in ("app_dir", "state_dir", "env_file", "socket", "acme_root", "nginx_dir", "cache_dir", "log_dir"):
        value = getattr(args, name)
        if not value.startswith("/") or re.search(r"[\s;'\"{}$@]", value):
            parser.error(f"--{name.replace('_', '-')} {value!r} must be an absolute path without spaces or quotes")
    return args


def values(args):
    live = f"/etc/letsencrypt/live/{args.server_name}"
    listen = args.listen or ["0.0.0.0", "[::]"]  # noqa: S104 (the public front: every address, on purpose)

    def listen_lines(port, extra=""):
        return "\n".join(f"    listen {address}:{port}{extra};" for address in listen)

    return {
        "SERVER_NAME": args.server_name,
        "APP_DIR": args.app_dir.rstrip("/"),
        "STATE_DIR": args.state_dir.rstrip("/"),
        "ENV_FILE": args.env_file,
        "USER": args.user,
        "SOCKET": args.socket,
        "CERTIFICATE": args.certificate or f"{live}/fullchain.pem",
        "CERTIFICATE_KEY": args.certificate_key or f"{live}/privkey.pem",
        "ACME_ROOT": args.acme_root,
        # Where the snippet was written: under --root when one is given, so the rendered tree works where it is.
        "NGINX_DIR": str(args.root / args.nginx_dir.strip("/")),
        "NGINX_USER": args.nginx_user,
        "CACHE_DIR": args.cache_dir,
        "LOG_DIR": args.log_dir.rstrip("/"),
        "LISTEN_HTTP": listen_lines(args.http_port),
        "LISTEN_HTTPS": listen_lines(args.https_port, " ssl http2"),
        "LISTEN_HTTP_DEFAULT": listen_lines(args.http_port, " default_server"),
        "LISTEN_HTTPS_DEFAULT": listen_lines(args.https_port, " ssl http2 default_server"),
        "HTTPS_PORT_SUFFIX": "" if args.https_port == 443 else f":{args.https_port}",
    }


def render(text, mapping, name):
    def substitute(match):
        key = match.group(1)
        if key not in mapping:
            raise SystemExit(f"{name}: unknown placeholder @{key}@ (known: {', '.join(sorted(mapping))})")
        return mapping[key]

    return PLACEHOLDER.sub(substitute, text)


def main(argv=None):
    args = parse_args(argv)
    mapping = values(args)
    dirs = {"nginx_dir": args.nginx_dir.strip("/"), "systemd_dir": args.systemd_dir.strip("/")}
    for template, target in FILES.items():
        destination = args.root / target.format(**dirs)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(render((HERE / template).read_text(), mapping, template))
        print(f"wrote {destination}")


if __name__ == "__main__":
    sys.exit(main())
