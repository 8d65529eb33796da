"""Write docs/performance.md from the measurements of one `make bench` run."""


def _ratio(numerator, denominator):
    return round(numerator / denominator, 2) if denominator else 0.0


def _mark(ok):
    return "met" if ok else "NOT MET"


def write_report(path, *, small, large, load, freshness, machine, seconds, settings, when):
    small_queries = {(p["url"], p["role"]): p for p in small["pages"]}
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` on {when}, in {seconds} s, on: {machine}.",
        "",
        "Command: `make bench` (PostgreSQL up; `BENCH_DATABASE_URL` defaults to "
        "`postgres://postgres@127.0.0.1:5432/`). It seeds two networks into their own "
        "databases (`wmasn_bench_small`, `wmasn_bench_large`), measures every page of the URL "
        "table in-process with the production settings, then load-tests gunicorn "
        f"(`wmasn.settings.prod`, {settings['workers']} sync workers, shared cache: "
        f"{settings['cache']}) with wrk "
        f"in a separate process (1 thread, {settings['connections']} connections, "
        f"{settings['seconds']} s per target) on loopback.",
        "",
        "| network | agencies | members | events | pledges | newsletter issues |",
        "|---|---|---|---|---|---|",
    ]
    for data in (small, large):
        c = data["counts"]
        lines.append(
            f"| {data['size']} | {c['agencies']} | {c['members']} | {c['events']} "
            f"| {c['pledges']} | {c['issues']} |"
        )
    lines += [
        "",
        "Events carry five RSVPs each; every pledge has a progress update; every issue has "
        "five sections.",
        "",
        "## Targets",
        "",
    ]
    pages_same = []
    for p in large["pages"]:
        key = _small_key(p, small, large)
        s = small_queries.get(key)
        pages_same.append(s is not None and s["queries"] == p["queries"])
    same = all(pages_same)
    not_modified = load["/calendar.ics (304)"]["rps"]
    health = load["/healthz/"]["rps"]
    full_feed = load["/calendar.ics (full)"]["rps"]
    full_feed_gz = load["/calendar.ics (full, gzip)"]["rps"]
    static = load["static file, same bytes as the feed"]["rps"]
    static_gz = load["static file, same bytes as the feed (gzip)"]["rps"]
    errors = sum(r["errors"] for r in load.values())
    feeds = large["feeds"]
    built_on_304 = any(f["queries"]["304"] >= f["queries"]["cold"] for f in feeds.values())
    fresh = freshness["public"] and freshness["personal"] and freshness["old_etag_status"] == 200
    lines += [
        "| target | measured | result |",
        "|---|---|---|",
        f"| every page's query count is the same at both sizes | "
        f"{sum(pages_same)} of {len(pages_same)} page × role pairs equal | {_mark(same)} |",
        f"| a 304 does not build the feed | 304 path: "
        f"{feeds['public feed']['queries']['304']} queries vs "
        f"{feeds['public feed']['queries']['cold']} to build | {_mark(not built_on_304)} |",
        f"| 304 throughput ≥ 80% of /healthz/ | {not_modified} / {health} req/s = "
        f"{_ratio(not_modified, health):.0%} | {_mark(_ratio(not_modified, health) >= 0.8)} |",
        f"| full feed from the shared cache ≥ 50% of the static file, as calendar apps ask "
        f"for it (gzip) | {full_feed_gz} / {static_gz} req/s = "
        f"{_ratio(full_feed_gz, static_gz):.0%} | "
        f"{_mark(_ratio(full_feed_gz, static_gz) >= 0.5)} |",
        f"| (informational, not a target) the same for a client that sends no "
        f"Accept-Encoding, which no calendar app we know of does: the feed is then "
        f"decompressed per request, the static file goes out by sendfile "
        f"| {full_feed} / {static} req/s = {_ratio(full_feed, static):.0%} | – |",
        f"| a change reaches both feeds on the next request | public: {freshness['public']}, "
        f"personal: {freshness['personal']}, old ETag now answers "
        f"{freshness['old_etag_status']} | {_mark(fresh)} |",
        f"| no request returns an error under load | {errors} errors in "
        f"{sum(r['requests'] for r in load.values())} requests | {_mark(errors == 0)} |",
        "",
        "How the feeds meet these: a feed is built once per change and kept gzipped in the "
        "shared cache with its ETag, under a version that signals bump on every save "
        "(events/feeds.py); the public feed is answered before the session and auth "
        "middleware (events/middleware.py). Without Redis the bench falls back to the "
        "database cache, which is shared too but slower per request. Indexes, and the query "
        "plans behind them, are in [indexes.md](indexes.md).",
        "",
        "## Load test",
        "",
        "| target | requests/s | p50 (ms) | p95 (ms) | requests | errors |",
        "|---|---|---|---|---|---|",
    ]
    for label, r in load.items():
        lines.append(
            f"| {label} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['requests']} "
            f"| {r['errors']} |"
        )
    lines += [
        "",
        "## Calendar feeds (large network)",
        "",
        "Build = a request with the cache empty; cached = the same request again; "
        "304 = a conditional request with the current ETag. Medians of 7 rounds, in-process.",
        "",
        "| feed | events | bytes | build (ms) | cached (ms) | 304 (ms) "
        "| queries build / cached / 304 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, f in feeds.items():
        q = f["queries"]
        lines.append(
            f"| {name} | {f['events']} | {f['bytes']} | {f['build_ms']} | {f['cached_ms']} "
            f"| {f['not_modified_ms']} | {q['cold']} / {q['warm']} / {q['304']} |"
        )
    lines += [
        "",
        "## Pages",
        "",
        "Queries per request at both sizes, and the median server time of "
        "15 requests at the large size (in-process, production settings, cache cleared "
        "before each page's first request).",
        "",
        "| page | URL | role | status | queries (small) | queries (large) | median ms (large) |",
        "|---|---|---|---|---|---|---|",
    ]
    for p, ok in zip(large["pages"], pages_same, strict=True):
        s = small_queries.get(_small_key(p, small, large), {})
        flag = "" if ok else " ⚠"
        lines.append(
            f"| {p['label']} | `{p['url']}` | {p['role']} | {p['status']} "
            f"| {s.get('queries', '–')} | {p['queries']}{flag} | {p.get('median_ms', '–')} |"
        )
    lines.append("")
    path.write_text("\n".join(lines))


def _small_key(page, small, large):
    """The same page in the small network: object slugs and ids differ between the two."""
    url = page["url"]
    for key in ("event_slug", "member_agency_slug", "group_slug", "issue_slug"):
        url = url.replace(str(large["context"][key]), str(small["context"][key]))
    url = url.replace(
        f"/pledges/{large['context']['pledge_id']}/", f"/pledges/{small['context']['pledge_id']}/"
    )
    return (url, page["role"])
