"""Write docs/performance.md from the measurements of one `make bench` run."""


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else 0.0


def _mark(ok):
    return "met" if ok else "**NOT MET**"


def _n(network):
    return f"{int(network):,}"


def write_report(path, *, networks, load, machine, seconds, settings, when):
    names = list(networks)
    small, large = names[0], names[-1]
    (load_before, load_after) = settings["load"]
    lines = [
        "# Performance",
        "",
        f"Measured by `make bench` on {when}, in {seconds} s, on: {machine}. Load average "
        f"(1, 5, 15 min) {', '.join(f'{x:.2f}' for x in load_before)} at the start and "
        f"{', '.join(f'{x:.2f}' for x in load_after)} at the end: the machine is shared, so "
        "the targets are ratios measured in one run, where a burst of load elsewhere hits "
        "both sides.",
        "",
        "Command: `make bench` (PostgreSQL up; `BENCH_DATABASE_URL` defaults to "
        "`postgres://postgres@127.0.0.1:5432/`; `BENCH_DB_PREFIX` names the databases, "
        f"here `{settings['prefix']}_<agencies>`). It seeds three networks into their own "
        "databases, counts every page's queries and measures the feed builds in-process "
        "with the production settings, then starts one gunicorn per network "
        f"(`wmasn.settings.prod`, {settings['workers']} sync workers each, shared cache: "
        f"{settings['cache']}) and times pages from a client in "
        "three interleaved rounds (median of five requests per page per round, median of "
        f"the rounds), load-tests with wrk (1 thread, {settings['connections']} connections, "
        f"{settings['seconds']} s per target) on loopback, and sends eight pollers at once "
        "right after an event changes (five rounds).",
        "",
        *(
            [
                "This run set `BENCH_REUSE=1`: the in-process figures (queries, feed builds, "
                "memory) are those of the previous full run on the same databases; the "
                "gunicorn figures are this run's.",
                "",
            ]
            if settings.get("reused")
            else []
        ),
        "| network | agencies | members | events | pledges | newsletter issues | seeded in |",
        "|---|---|---|---|---|---|---|",
    ]
    for data in networks.values():
        c = data["counts"]
        lines.append(
            f"| {_n(data['network'])} | {c['agencies']:,} | {c['members']:,} | {c['events']:,} "
            f"| {c['pledges']:,} | {c['issues']:,} | {data['seed_seconds']} s |"
        )
    lines += [
        "",
        "Events carry five RSVPs each and all lie in the feeds' window; every pledge has a "
        "progress update; every issue has five sections; every agency answers the services "
        "survey for one service.",
        "",
        f"## Targets (at {_n(large)} agencies and {networks[large]['counts']['events']:,} events)",
        "",
        "| target | measured | result |",
        "|---|---|---|",
    ]
    for page in load["pages"]:
        ratio = _ratio(page["ms"][large], page["ms"][small])
        lines.append(
            f"| {page['label']} ({page['role']}) within 2× its time at {_n(small)} agencies "
            f"| {page['ms'][large]} ms / {page['ms'][small]} ms = ×{ratio:.2f} "
            f"| {_mark(ratio <= 2)} |"
        )
    wrk = load["throughput"][large]

    def rps(label):
        return wrk[label]["rps"]

    feed_targets = [
        ("public 304 ≥ 0.8× /healthz/", "public 304", "/healthz/", 0.8),
        ("personal 304 ≥ 0.5× /healthz/", "personal 304", "/healthz/", 0.5),
        (
            "public feed with gzip ≥ 0.5× WhiteNoise serving the same bytes",
            "public feed (gzip)",
            "static file (gzip)",
            0.5,
        ),
    ]
    pollers = load["pollers"][large]
    asked = pollers["pollers"] * pollers["rounds"]
    one_build = all(b == 1 for b in pollers["builds_per_change"])
    full_build = networks[large]["feeds"]["public feed"]["full_build_ms"]
    allowed = full_build + 2 * pollers["p50_cached_ms"]
    lines += [
        f"| after a change, the first request for the public feed carries it | "
        f"{pollers['pollers_carried']} of {asked} pollers' first requests | "
        f"{_mark(pollers['pollers_carried'] == asked)} |",
        f"| after a change, the first request for a personal feed carries it | "
        f"{pollers['personal_first_carried']} of {pollers['rounds']} changes | "
        f"{_mark(pollers['personal_first_carried'] == pollers['rounds'])} |",
        f"| eight pollers right after a change: one build | builds per change in "
        f"{pollers['rounds']} rounds: {pollers['builds_per_change']} | {_mark(one_build)} |",
        f"| … their slowest answer ≤ one full build plus 2× a cached request "
        f"| {pollers['max_after_change_ms']} ms ≤ {full_build} ms + 2 × "
        f"{pollers['p50_cached_ms']} ms | {_mark(pollers['max_after_change_ms'] <= allowed)} |",
    ]
    for text, top, bottom, target in feed_targets:
        ratio = _ratio(rps(top), rps(bottom))
        lines.append(
            f"| {text} | {rps(top)} / {rps(bottom)} req/s = {ratio:.2f} "
            f"| {_mark(ratio >= target)} |"
        )
    feeds = networks[large]["feeds"]
    for name, feed in feeds.items():
        share = _ratio(feed["rebuild_one_changed_ms"], feed["full_build_ms"])
        lines.append(
            f"| {name}: rebuild after one event changed ≤ 10% of a full build "
            f"| {feed['rebuild_one_changed_ms']} ms / {feed['full_build_ms']} ms = "
            f"{share:.1%} | {_mark(share <= 0.10)} |"
        )
    for which, memory in networks[large]["memory"].items():
        lines.append(
            f"| building the {which} feed ({memory['raw_bytes']:,} bytes, "
            f"{memory['gzipped_bytes']:,} gzipped) raises peak memory ≤ 30 MiB "
            f"| {memory['peak_raise_mib']} MiB | {_mark(memory['peak_raise_mib'] <= 30)} |"
        )
    errors = sum(r["errors"] for per in load["throughput"].values() for r in per.values())
    requests = sum(r["requests"] for per in load["throughput"].values() for r in per.values())
    lines += [
        f"| no request returns an error under load | {errors} errors in {requests:,} requests "
        f"| {_mark(errors == 0)} |",
        "",
        "How: see the docstrings of events/feed_cache.py, events/feeds.py and "
        "events/middleware.py. In short, the views in the URLconf answer, called before the "
        "session, CSRF, auth and message middleware (which they never use) as the health "
        "check is; a feed's validators and its gzipped body are kept apart in the shared "
        "cache under a version that every change a feed reads bumps, so a 304 is one cache "
        "round trip; the request that finds a feed older than that version builds it under "
        "a lock (the other pollers wait for that build, bounded, and are answered from it), "
        "so the first request after a change carries it; VEVENT fragments are cached per "
        "event under a hash of every column of the rows they are made from and of the "
        "settings they read, so a rebuild after one change makes one fragment; the body is "
        "streamed into gzip and SHA-256, and each worker keeps the bodies it served last by "
        "ETag (a copy is never stale); personal-feed checks are cached under an access "
        "version that every token, membership, user and agency change bumps.",
        "",
        "## Pages",
        "",
        "Client-side time through gunicorn (median of the interleaved rounds), and the size "
        "of the page.",
        "",
        "| page | role | " + " | ".join(f"{_n(n)} agencies" for n in names) + " | growth |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    for page in load["pages"]:
        cells = [
            f"{page['ms'][n]} ms ({page['bytes'][n] / 1024:,.0f} KB)"
            + ("" if page["status"][n] == 200 else f" [{page['status'][n]}]")
            for n in names
        ]
        growth = _ratio(page["ms"][large], page["ms"][small])
        lines.append(
            f"| {page['label']} | {page['role']} | " + " | ".join(cells) + f" | ×{growth:.2f} |"
        )
    lines += [
        "",
        "## Feed ratios, same run",
        "",
        "| ratio | "
        + " | ".join(f"{networks[n]['counts']['events']:,} events" for n in names)
        + " |",
        "|---|" + "---|" * len(names),
    ]
    ratio_rows = [
        ("public 304 ÷ /healthz/", "public 304", "/healthz/"),
        ("personal 304 ÷ /healthz/", "personal 304", "/healthz/"),
        ("public feed, gzip ÷ WhiteNoise, same bytes", "public feed (gzip)", "static file (gzip)"),
        (
            "public feed, no gzip ÷ WhiteNoise",
            "public feed (no gzip)",
            "static file (no gzip)",
        ),
        ("personal feed, gzip ÷ WhiteNoise", "personal feed (gzip)", "static file (gzip)"),
        (
            "personal feed, no gzip ÷ WhiteNoise",
            "personal feed (no gzip)",
            "static file (no gzip)",
        ),
    ]
    for text, top, bottom in ratio_rows:
        cells = []
        for n in names:
            t = load["throughput"][n]
            cells.append(f"{_ratio(t[top]['rps'], t[bottom]['rps']):.2f}")
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Load test",
        "",
        "| network | target | requests/s | p50 (ms) | p99 (ms) | requests | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in names:
        for label, r in load["throughput"][n].items():
            lines.append(
                f"| {_n(n)} | {label} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} "
                f"| {r['requests']} | {r['errors']} |"
            )
    lines += [
        "",
        "## Pollers right after a change",
        "",
        "Each round: an event is renamed through the ORM in another process, then eight "
        "requests for the public feed (gzip) start at once; then eight more against the "
        "cached feed; then another rename and one request for the personal feed.",
        "",
        "| network | builds per change | pollers that got the change | p50 / p99 / slowest "
        "after the change (ms) | p50 / p99 cached (ms) | personal feed: first request got "
        "the change |",
        "|---|---|---|---|---|---|",
    ]
    for n in names:
        p = load["pollers"][n]
        lines.append(
            f"| {_n(n)} | {p['builds_per_change']} | {p['pollers_carried']} of "
            f"{p['pollers'] * p['rounds']} | {p['p50_after_change_ms']} / "
            f"{p['p99_after_change_ms']} / {p['max_after_change_ms']} | {p['p50_cached_ms']} / "
            f"{p['p99_cached_ms']} | {p['personal_first_carried']} of {p['rounds']} |"
        )
    lines += [
        "",
        "## Feed builds (in-process)",
        "",
        "Full build = no fragment cached; rebuild = after one event changed (the other "
        "fragments cached); cached and 304 = requests through the test client, gzip. "
        "Medians; peak memory from a fresh process (VmHWM after the build minus VmRSS before).",
        "",
        "| network | feed | events | bytes (gzipped) | full build (ms) | rebuild (ms) "
        "| cached (ms) | 304 (ms), queries | peak memory raise (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        for name, f in networks[n]["feeds"].items():
            memory = networks[n]["memory"]["public" if name == "public feed" else "personal"]
            lines.append(
                f"| {_n(n)} | {name} | {f['events']:,} | {f['bytes']:,} "
                f"({f['gzipped_bytes']:,}) | {f['full_build_ms']} | "
                f"{f['rebuild_one_changed_ms']} | {f['cached_ms']} | {f['not_modified_ms']}, "
                f"{f['not_modified_queries']} | {memory['peak_raise_mib']} |"
            )
    lines += [
        "",
        "## Queries per page",
        "",
        "In-process, production settings, the second request of each page. ⚠ marks a "
        "count that differs between sizes.",
        "",
        "| page | URL | role | status | " + " | ".join(_n(n) for n in names) + " |",
        "|---|---|---|---|" + "---|" * len(names),
    ]
    by_network = {n: networks[n]["pages"] for n in names}
    for index, page in enumerate(by_network[small]):
        counts = [by_network[n][index]["queries"] for n in names]
        flag = "" if len(set(counts)) == 1 else " ⚠"
        lines.append(
            f"| {page['label']} | `{_generic(page['url'], networks[small]['context'])}` "
            f"| {page['role']} | {page['status']} | "
            + " | ".join(str(c) for c in counts)
            + flag
            + " |"
        )
    lines.append("")
    path.write_text("\n".join(lines))


def _generic(url, ctx):
    """The URL with the bench's object names as placeholders."""
    for key, placeholder in (
        ("event_slug", "<event>"),
        ("member_agency_slug", "<agency>"),
        ("group_slug", "<group>"),
        ("issue_slug", "<issue>"),
    ):
        url = url.replace(str(ctx[key]), placeholder)
    return url.replace(f"/pledges/{ctx['pledge_id']}/", "/pledges/<id>/")
