/// The status page's Mustache template, compiled into the module: the daemon never looks for a file.
///
/// No external asset and no script: the CSS is inline, the page works with scripts off (and its
/// Content-Security-Policy forbids them). Under 600px wide everything is one column.
enum StatusPageTemplate {
    static let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>feedwatch status</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header>
          <h1>feedwatch</h1>
          <p class="state">
            <span id="liveness" class="pill {{#live}}ok{{/live}}{{^live}}bad{{/live}}">{{liveText}}</span>
            <span id="readiness" class="pill {{#ready}}ok{{/ready}}{{^ready}}warn{{/ready}}">{{#ready}}ready{{/ready}}{{^ready}}starting{{/ready}}</span>
            <span class="muted">as of <time datetime="{{generated.iso}}">{{generated.text}}</time></span>
          </p>
        </header>
        <main>
        <section id="summary" aria-label="summary">
          <div class="cards">
            {{#feedCards}}<div class="card {{tone}}"><span class="value">{{value}}</span><span class="label">{{label}}</span></div>
            {{/feedCards}}
          </div>
          <div class="cards">
            {{#outboxCards}}<div class="card {{tone}}"><span class="value">{{value}}</span><span class="label">{{label}} in the outbox</span></div>
            {{/outboxCards}}
          </div>
        </section>

        <section id="problems">
          <h2>Feeds that need a look</h2>
          {{^problems}}<p class="muted">None: every feed polls fine.</p>{{/problems}}
          <ul class="feeds">
            {{#problems}}\(feed){{/problems}}
          </ul>
          {{#moreProblems}}<p class="more">and {{moreProblems}} more: <a href="/api/v1/feeds?status=problem">/api/v1/feeds?status=problem</a></p>{{/moreProblems}}
        </section>

        <section id="outbox">
          <h2>Outbox</h2>
          {{^destinations}}<p class="muted">Empty: everything was delivered.</p>{{/destinations}}
          {{#hasDestinations}}
          <table>
            <thead><tr><th>destination</th><th>pending</th><th>held</th><th>sending</th><th>dead</th><th>next attempt</th></tr></thead>
            <tbody>
            {{#destinations}}
            <tr class="queue{{#hasDead}} has-dead{{/hasDead}}">
              <td data-label="destination"><b>{{name}}</b>{{#type}} <span class="muted">({{type}})</span>{{/type}}</td>
              <td data-label="pending">{{pending}}</td><td data-label="held">{{held}}</td><td data-label="sending">{{inFlight}}</td>
              <td data-label="dead">{{dead}}</td>
              <td data-label="next attempt">{{#nextAttempt}}<time datetime="{{iso}}" title="{{text}}">{{relative}}</time>{{/nextAttempt}}{{^nextAttempt}}–{{/nextAttempt}}</td>
            </tr>
            {{/destinations}}
            </tbody>
          </table>
          {{/hasDestinations}}
          <h3 id="dead-letters">Dead letters</h3>
          {{^deadLetters}}<p class="muted">None.</p>{{/deadLetters}}
          <ul class="dead-letters">
            {{#deadLetters}}
            <li class="dead-letter">
              <b>#{{id}}</b> to <b>{{destination}}</b>{{#type}} <span class="muted">({{type}})</span>{{/type}}{{#rule}} · [{{rule}}]{{/rule}}{{#title}} {{title}}{{/title}}
              <div class="error">{{error}}</div>
              <div class="muted">raised <time datetime="{{created.iso}}">{{created.text}}</time> · retry with <code>feedwatch outbox retry {{id}}</code></div>
            </li>
            {{/deadLetters}}
          </ul>
          {{#moreDeadLetters}}<p class="more">and {{moreDeadLetters}} more: <code>feedwatch outbox</code> lists them all</p>{{/moreDeadLetters}}
        </section>

        <section id="alerts">
          <h2>Latest alerts</h2>
          {{^alerts}}<p class="muted">No alert fired yet.</p>{{/alerts}}
          <ol class="alerts">
            {{#alerts}}
            <li class="alert">
              <div class="alert-head"><span class="rule">{{rule}}</span> <time datetime="{{detected.iso}}" title="{{detected.text}}">{{detected.relative}}</time></div>
              <p class="title">{{#link}}<a href="{{link}}" rel="noopener noreferrer">{{/link}}{{#titleParts}}{{#mark}}<mark>{{text}}</mark>{{/mark}}{{^mark}}{{text}}{{/mark}}{{/titleParts}}{{#link}}</a>{{/link}}</p>
              <p class="meta">feed <b class="feed-name">{{feed}}</b>{{#keywords}} · matched <span class="keywords">{{keywords}}</span>{{/keywords}} · <time datetime="{{detected.iso}}">{{detected.text}}</time></p>
              <ul class="deliveries">
                {{#destinations}}<li class="delivery {{status}}"><span class="pill {{status}}">{{status}}</span> <b>{{name}}</b>{{#type}} <span class="muted">({{type}})</span>{{/type}} {{detail}}{{#error}}: <span class="error">{{error}}</span>{{/error}}</li>
                {{/destinations}}
              </ul>
            </li>
            {{/alerts}}
          </ol>
          <p class="more">The last {{alertLimit}}; all of them: <a href="/api/v1/alerts">/api/v1/alerts</a></p>
        </section>

        <section id="feeds">
          <h2>Other feeds</h2>
          {{^others}}<p class="muted">None.</p>{{/others}}
          <ul class="feeds">
            {{#others}}\(feed){{/others}}
          </ul>
          {{#moreOthers}}<p class="more">and {{moreOthers}} more: <a href="/api/v1/feeds?status=ok">/api/v1/feeds?status=ok</a></p>{{/moreOthers}}
        </section>
        </main>
        <footer class="muted">JSON: <a href="/api/v1/feeds">feeds</a> · <a href="/api/v1/alerts">alerts</a> · <a href="/api/v1/outbox">outbox</a> · <a href="/metrics">metrics</a></footer>
        </body>
        </html>

        """

    /// One feed of a list, written into both lists of the page (one template, no partials to find).
    static let feed = """
        <li class="feed {{status}}"><div><span class="pill {{status}}">{{status}}</span> <b class="feed-name">{{name}}</b>\
        {{#tags}} <span class="muted">[{{tags}}]</span>{{/tags}}</div>\
        <div class="health">{{#health}}{{health}}{{/health}}{{#since}} since <time datetime="{{iso}}">{{text}}</time> ({{relative}}){{/since}}</div>\
        {{#error}}<div class="error">{{error}}</div>{{/error}}\
        <div class="meta"><span class="url">{{url}}</span>{{#lastPoll}} · last poll <time datetime="{{iso}}" title="{{text}}">{{relative}}</time>{{/lastPoll}}\
        {{#nextPoll}} · next <time datetime="{{iso}}" title="{{text}}">{{relative}}</time>{{/nextPoll}}</div></li>

        """

    static let css = """
        :root { --fg: #1d2430; --muted: #5d6878; --bg: #f6f7f9; --panel: #fff; --line: #dde1e7;
          --ok: #1f7a3a; --warn: #9a6400; --bad: #b42318; --mark: #ffe58a; }
        @media (prefers-color-scheme: dark) {
          :root { --fg: #e6e9ee; --muted: #9aa4b2; --bg: #14171c; --panel: #1c2027; --line: #2e343d;
            --ok: #4cc27a; --warn: #e0a93b; --bad: #ff6b5e; --mark: #6b5a00; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
          color: var(--fg); background: var(--bg); }
        header, main, footer { max-width: 75rem; margin: 0 auto; padding: 0 1rem; }
        header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; padding-top: .75rem; }
        h1 { font-size: 1.4rem; margin: 0; }
        h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
        h3 { font-size: 1rem; margin: 1rem 0 .5rem; }
        .state { margin: 0; display: flex; flex-wrap: wrap; gap: .4rem; align-items: baseline; }
        main { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1rem; padding-top: 1rem; }
        section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .9rem 1rem;
          min-width: 0; }
        #summary, #alerts, #feeds { grid-column: 1 / -1; }
        .cards { display: flex; flex-wrap: wrap; gap: .5rem; margin-bottom: .5rem; }
        .card { flex: 1 1 7rem; border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; }
        .card .value { display: block; font-size: 1.5rem; font-weight: 600; }
        .card .label { color: var(--muted); }
        .card.ok .value { color: var(--ok); } .card.warn .value { color: var(--warn); }
        .card.bad .value { color: var(--bad); }
        .pill { display: inline-block; border-radius: 999px; padding: 0 .5rem; font-size: .8rem; font-weight: 600;
          border: 1px solid currentColor; }
        .pill.ok, .pill.delivered { color: var(--ok); }
        .pill.warn, .pill.silent, .pill.gone, .pill.held, .pill.pending, .pill.in_flight { color: var(--warn); }
        .pill.bad, .pill.failing, .pill.dead { color: var(--bad); }
        ul, ol { list-style: none; margin: 0; padding: 0; }
        .feeds li, .alerts > li, .dead-letters li { border-top: 1px solid var(--line); padding: .5rem 0; }
        .feeds li:first-child, .alerts > li:first-child, .dead-letters li:first-child { border-top: 0; }
        .feed-name { overflow-wrap: anywhere; }
        .health, .meta, .muted, .more { color: var(--muted); }
        .meta, .more { font-size: .85rem; }
        .url { overflow-wrap: anywhere; }
        .error { color: var(--bad); overflow-wrap: anywhere; }
        .alert-head { display: flex; justify-content: space-between; gap: 1rem; }
        .rule { font-weight: 600; }
        .title { font-size: 1.05rem; margin: .15rem 0; overflow-wrap: anywhere; }
        mark { background: var(--mark); color: inherit; border-radius: 3px; padding: 0 .1em; }
        a { color: inherit; }
        .deliveries li { font-size: .9rem; padding: .1rem 0; }
        table { width: 100%; border-collapse: collapse; font-size: .9rem; }
        th, td { text-align: left; padding: .3rem .4rem; border-top: 1px solid var(--line); }
        th { color: var(--muted); font-weight: 500; border-top: 0; }
        tr.has-dead td[data-label="dead"] { color: var(--bad); font-weight: 600; }
        code { font-size: .85rem; }
        footer { padding: 1rem; }
        @media (max-width: 600px) {
          main { grid-template-columns: 1fr; padding: .75rem .5rem 0; }
          header { padding: .5rem .5rem 0; }
          section { padding: .75rem; }
          .alert-head { flex-direction: column; gap: 0; }
          table, thead, tbody, tr, th, td { display: block; }
          thead { display: none; }
          tr { border-top: 1px solid var(--line); padding: .3rem 0; }
          td { border: 0; padding: .1rem 0; }
          td[data-label]:not([data-label="destination"])::before { content: attr(data-label) ": "; color: var(--muted); }
        }
        """
}
