/// The pages, as mustache templates. Every page extends `layout`; forms carry the CSRF token
/// and repeat what was typed next to the reason it was refused.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "home": home, "signup": signup, "login": login, "logout": logout, "dashboard": dashboard,
        "settings": settings, "forgot": forgot, "reset": reset, "message": message,
        "admin_users": adminUsers, "admin_queue": adminQueue, "admin_status": adminStatus,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} — Motherstream</title>
        <link rel="stylesheet" href="/static/app.css">
        </head>
        <body>
        <header>
          <a class="brand" href="/">Motherstream</a>
          {{#user}}
          <a href="/dashboard">Dashboard</a> <a href="/settings">Settings</a>
          {{#isAdmin}}<a href="/admin/queue">Night</a> <a href="/admin/users">Users</a> <a href="/admin/status">Status</a>{{/isAdmin}}
          <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary" style="margin:0">Log out</button></form>
          {{/user}}
          {{^user}}<a href="/login">Log in</a> <a href="/signup">Sign up</a>{{/user}}
        </header>
        <main class="{{mainClass}}">
        {{#flash}}<div class="panel flash{{#bad}} bad{{/bad}}" role="status">{{message}}</div>{{/flash}}
        {{$content}}{{/content}}
        </main>
        <script src="/static/app.js" defer></script>
        </body>
        </html>
        """

    static let home = """
        {{<layout}}{{$content}}
        <section class="panel">
          <h1>One broadcast, many DJs</h1>
          <p>Motherstream is a collective's shared live stream: each DJ points their encoder at the same server, the queue decides who is on air, and when the set ends the next DJ takes over without the broadcast stopping.</p>
          {{#user}}<a class="button" href="/dashboard">Go to your dashboard</a>{{/user}}
          {{^user}}<a class="button" href="/signup">Sign up</a> <a class="button secondary" href="/login" style="background:#34344a;color:#f1f1f6">Log in</a>{{/user}}
        </section>
        <section class="panel"><h2>Right now</h2><p><a href="{{queueURL}}/queue-list">See who is playing and who is next</a>.</p></section>
        {{/content}}{{/layout}}
        """

    static let signup = """
        {{<layout}}{{$content}}
        <h1>Sign up</h1>
        <form class="panel" method="post" action="/signup" novalidate>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required value="{{form.email}}" {{#errors.email}}aria-invalid="true" aria-describedby="email-error"{{/errors.email}}>
          {{#errors.email}}<p class="error" id="email-error">{{.}}</p>{{/errors.email}}
          <label for="dj_name">DJ name</label>
          <input id="dj_name" name="dj_name" autocomplete="nickname" required maxlength="40" value="{{form.djName}}" {{#errors.dj_name}}aria-invalid="true" aria-describedby="dj-error"{{/errors.dj_name}}>
          {{#errors.dj_name}}<p class="error" id="dj-error">{{.}}</p>{{/errors.dj_name}}
          <label for="timezone">Time zone</label>
          <select id="timezone" name="timezone" data-browser-zone {{#form.timezone}}data-chosen="1"{{/form.timezone}}>
            {{#zones}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/zones}}
          </select>
          {{#errors.timezone}}<p class="error">{{.}}</p>{{/errors.timezone}}
          <label for="password">Password <span class="muted">(at least 8 characters)</span></label>
          <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" {{#errors.password}}aria-invalid="true" aria-describedby="password-error"{{/errors.password}}>
          {{#errors.password}}<p class="error" id="password-error">{{.}}</p>{{/errors.password}}
          <label for="password_again">Password again</label>
          <input id="password_again" name="password_again" type="password" autocomplete="new-password" required {{#errors.password_again}}aria-invalid="true" aria-describedby="again-error"{{/errors.password_again}}>
          {{#errors.password_again}}<p class="error" id="again-error">{{.}}</p>{{/errors.password_again}}
          <button>Create my account</button>
        </form>
        <p>Already signed up? <a href="/login">Log in</a>.</p>
        {{/content}}{{/layout}}
        """

    static let login = """
        {{<layout}}{{$content}}
        <h1>Log in</h1>
        <form class="panel" method="post" action="/login" novalidate>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          {{#errors.form}}<p class="error" role="alert">{{.}}</p>{{/errors.form}}
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required value="{{form.email}}">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required>
          <button>Log in</button>
        </form>
        <p><a href="/forgot-password">Forgot your password?</a> · <a href="/signup">Sign up</a></p>
        {{/content}}{{/layout}}
        """

    static let logout = """
        {{<layout}}{{$content}}
        <form class="panel" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><p>Log out of Motherstream on this browser?</p><button>Log out</button></form>
        {{/content}}{{/layout}}
        """

    static let dashboard = """
        {{<layout}}{{$content}}
        <h1>Hi, {{user.djName}}</h1>
        <section class="panel" aria-live="polite">
          <div class="muted">Right now</div>
          <div class="state" data-live data-api="{{queueURL}}" data-user="{{user.id}}">Not connected</div>
        </section>
        <section class="panel">
          <h2>Your stream</h2>
          {{#legacyKey}}<p class="error">This key came from the old system and is short. Rotate it below for a stronger one.</p>{{/legacyKey}}
          <label for="server">Server</label>
          <div class="row"><input id="server" class="mono" readonly value="{{rtmpURL}}"><button type="button" class="secondary" data-copy="server">Copy</button></div>
          <label for="key">Stream key <span class="muted">(keep it secret: it is your password to go on air)</span></label>
          <div class="row"><input id="key" class="mono" type="password" readonly value="{{streamKey}}"><button type="button" class="secondary" data-reveal="key">Show</button><button type="button" class="secondary" data-copy="key">Copy</button></div>
          <form method="post" action="/dashboard/rotate-key" data-confirm="Rotate your key? The old key stops working at once: update your encoder before you go live.">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button class="secondary">Rotate key</button>
          </form>
        </section>
        <section class="panel">
          <h2>Set up OBS</h2>
          <ol class="steps">
            <li>Settings → Stream: <b>Service</b> Custom…</li>
            <li><b>Server</b>: the server above.</li>
            <li><b>Stream Key</b>: your key above.</li>
            <li>Settings → Output (Advanced): <b>Keyframe Interval</b> 2 s, video bitrate 2500–6000 kbps, audio AAC 160 kbps.</li>
            <li>Press <b>Start Streaming</b>. If someone is playing you wait, connected, until it is your turn; this page tells you where you are.</li>
          </ol>
        </section>
        {{/content}}{{/layout}}
        """

    static let settings = """
        {{<layout}}{{$content}}
        <h1>Settings</h1>
        <form class="panel" method="post" action="/settings/profile" novalidate>
          <h2>Profile</h2>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="dj_name">DJ name</label>
          <input id="dj_name" name="dj_name" required maxlength="40" value="{{form.djName}}" {{#errors.dj_name}}aria-invalid="true" aria-describedby="dj-error"{{/errors.dj_name}}>
          {{#errors.dj_name}}<p class="error" id="dj-error">{{.}}</p>{{/errors.dj_name}}
          <label for="email">Email</label>
          <input id="email" name="email" type="email" required value="{{form.email}}" {{#errors.email}}aria-invalid="true" aria-describedby="email-error"{{/errors.email}}>
          {{#errors.email}}<p class="error" id="email-error">{{.}}</p>{{/errors.email}}
          <label for="timezone">Time zone</label>
          <select id="timezone" name="timezone">{{#zones}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/zones}}</select>
          {{#errors.timezone}}<p class="error">{{.}}</p>{{/errors.timezone}}
          <button>Save</button>
        </form>
        <form class="panel" method="post" action="/settings/password" novalidate>
          <h2>Password</h2>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="current_password">Current password</label>
          <input id="current_password" name="current_password" type="password" autocomplete="current-password" {{#errors.current_password}}aria-invalid="true" aria-describedby="current-error"{{/errors.current_password}}>
          {{#errors.current_password}}<p class="error" id="current-error">{{.}}</p>{{/errors.current_password}}
          <label for="new_password">New password</label>
          <input id="new_password" name="new_password" type="password" autocomplete="new-password" {{#errors.new_password}}aria-invalid="true" aria-describedby="new-error"{{/errors.new_password}}>
          {{#errors.new_password}}<p class="error" id="new-error">{{.}}</p>{{/errors.new_password}}
          <label for="new_password_again">New password again</label>
          <input id="new_password_again" name="new_password_again" type="password" autocomplete="new-password">
          {{#errors.new_password_again}}<p class="error">{{.}}</p>{{/errors.new_password_again}}
          <button>Change password</button>
        </form>
        <form class="panel" method="post" action="/settings/delete" data-confirm="Delete your account for good? If you are in the queue you leave it.">
          <h2>Delete account</h2>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="delete_password">Your password</label>
          <input id="delete_password" name="password" type="password" autocomplete="current-password" {{#errors.password}}aria-invalid="true" aria-describedby="delete-error"{{/errors.password}}>
          {{#errors.password}}<p class="error" id="delete-error">{{.}}</p>{{/errors.password}}
          <button class="danger">Delete my account</button>
        </form>
        {{/content}}{{/layout}}
        """

    static let forgot = """
        {{<layout}}{{$content}}
        <h1>Forgot your password?</h1>
        <form class="panel" method="post" action="/forgot-password" novalidate>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="email" required value="{{form.email}}">
          <button>Send me a reset link</button>
        </form>
        {{/content}}{{/layout}}
        """

    static let reset = """
        {{<layout}}{{$content}}
        <h1>Choose a new password</h1>
        <form class="panel" method="post" action="/reset-password" novalidate>
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="token" value="{{token}}">
          {{#errors.token}}<p class="error" role="alert">{{.}} <a href="/forgot-password">Ask again</a>.</p>{{/errors.token}}
          <label for="password">New password</label>
          <input id="password" name="password" type="password" autocomplete="new-password" {{#errors.password}}aria-invalid="true" aria-describedby="password-error"{{/errors.password}}>
          {{#errors.password}}<p class="error" id="password-error">{{.}}</p>{{/errors.password}}
          <label for="password_again">New password again</label>
          <input id="password_again" name="password_again" type="password" autocomplete="new-password">
          {{#errors.password_again}}<p class="error">{{.}}</p>{{/errors.password_again}}
          <button>Set password</button>
        </form>
        {{/content}}{{/layout}}
        """

    static let message = """
        {{<layout}}{{$content}}
        <section class="panel"><h1>{{heading}}</h1><p>{{text}}</p>{{#link}}<a class="button" href="{{href}}">{{label}}</a>{{/link}}</section>
        {{/content}}{{/layout}}
        """

    static let adminUsers = """
        {{<layout}}{{$content}}
        <h1>Users</h1>
        <form class="panel row" method="get" action="/admin/users" role="search">
          <input name="q" value="{{query}}" placeholder="Search email or DJ name" aria-label="Search">
          <button>Search</button>
        </form>
        <div class="panel">
        <p class="muted">{{total}} accounts{{#query}} matching “{{query}}”{{/query}} · page {{page}} of {{pages}}</p>
        <table>
          <thead><tr><th>DJ name</th><th>Email</th><th>Joined</th><th>Role</th><th>Status</th><th>Actions</th></tr></thead>
          <tbody>
          {{#users}}
          <tr>
            <td>{{djName}}{{#legacyKey}} <span class="badge">old key</span>{{/legacyKey}}</td><td>{{email}}</td><td>{{joined}}</td>
            <td>{{role}}</td><td>{{#isActive}}<span class="badge ok">active</span>{{/isActive}}{{^isActive}}<span class="badge bad">deactivated</span>{{/isActive}}</td>
            <td>
              <form method="post" action="/admin/users/{{id}}/active"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="active" value="{{^isActive}}true{{/isActive}}{{#isActive}}false{{/isActive}}"><button class="secondary">{{#isActive}}Deactivate{{/isActive}}{{^isActive}}Activate{{/isActive}}</button></form>
              <form method="post" action="/admin/users/{{id}}/role"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="role" value="{{otherRole}}"><button class="secondary">Make {{otherRole}}</button></form>
              <form method="post" action="/admin/users/{{id}}/reset-key" data-confirm="Give {{djName}} a new stream key? Their current key stops working at once."><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary">Reset key</button></form>
            </td>
          </tr>
          {{/users}}
          </tbody>
        </table>
        <p>{{#previous}}<a href="/admin/users?q={{query}}&amp;page={{previous}}">← Previous</a>{{/previous}} {{#next}}<a href="/admin/users?q={{query}}&amp;page={{next}}">Next →</a>{{/next}}</p>
        </div>
        {{/content}}{{/layout}}
        """

    static let adminQueue = """
        {{<layout}}{{$content}}
        <h1>Tonight</h1>
        <section class="panel" id="board" data-live data-api="{{queueURL}}" data-user="">
          <div class="muted">On air</div>
          <div class="state" id="lead">…</div>
          <div>Time left: <span id="remaining" class="mono">—</span></div>
          <p class="muted" id="paused"></p>
          <div class="row">
            <form method="post" action="/admin/queue/skip" data-confirm="Skip the DJ on air? Their stream is cut and the next DJ goes on."><input type="hidden" name="csrf" value="{{csrf}}"><button class="danger">Skip the lead</button></form>
            <form method="post" action="/admin/queue/pause"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary">Pause</button></form>
            <form method="post" action="/admin/queue/resume"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary">Resume</button></form>
            <form method="post" action="/admin/queue/clear" data-confirm="Clear the queue? Everyone is disconnected."><input type="hidden" name="csrf" value="{{csrf}}"><button class="danger">Clear</button></form>
          </div>
        </section>
        <section class="panel">
          <h2>Waiting</h2>
          <table><thead><tr><th>#</th><th>DJ</th><th>Actions</th></tr></thead><tbody id="waiting"></tbody></table>
          <template id="waiting-row"><tr><td class="pos"></td><td class="name"></td><td>
            <form method="post" action="/admin/queue/move"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="user_id"><input type="hidden" name="position" data-up><button class="secondary" aria-label="Move up">↑</button></form>
            <form method="post" action="/admin/queue/move"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="user_id"><input type="hidden" name="position" data-down><button class="secondary" aria-label="Move down">↓</button></form>
            <form method="post" action="/admin/queue/remove" data-confirm="Remove this DJ from the queue? Their stream is cut."><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="user_id"><button class="danger">Remove</button></form>
          </td></tr></template>
        </section>
        <section class="panel">
          <h2>Time</h2>
          <form class="row" method="post" action="/admin/queue/extend"><input type="hidden" name="csrf" value="{{csrf}}"><input name="minutes" type="number" min="1" max="600" value="10" aria-label="Minutes"><button class="secondary">Extend this turn (minutes)</button></form>
          <form class="row" method="post" action="/admin/queue/interval"><input type="hidden" name="csrf" value="{{csrf}}"><input name="minutes" type="number" min="1" max="1440" value="{{intervalMinutes}}" aria-label="Turn length in minutes"><label class="row" style="margin:0;font-weight:400"><input type="checkbox" name="reset" value="true" style="width:auto"> restart the current turn</label><button class="secondary">Set turn length (minutes)</button></form>
          <form method="post" action="/admin/queue/block"><input type="hidden" name="csrf" value="{{csrf}}"><p>Block rule: <b>{{#blocking}}on{{/blocking}}{{^blocking}}off{{/blocking}}</b>{{#lastDj}} (holding back {{lastDj}}){{/lastDj}}</p><button class="secondary">Turn it {{#blocking}}off{{/blocking}}{{^blocking}}on{{/blocking}}</button></form>
        </section>
        {{/content}}{{/layout}}
        """

    static let adminStatus = """
        {{<layout}}{{$content}}
        <h1>Status</h1>
        <section class="panel">
          <table><thead><tr><th>Service</th><th>State</th><th>Detail</th></tr></thead><tbody>
          {{#services}}<tr><td>{{name}}</td><td>{{#ok}}<span class="badge ok">ready</span>{{/ok}}{{^ok}}<span class="badge bad">not ready</span>{{/ok}}</td><td class="mono">{{detail}}</td></tr>{{/services}}
          </tbody></table>
        </section>
        <section class="panel"><h2>OBS</h2><p>{{obs}}</p></section>
        <section class="panel"><h2>Discord</h2><p>{{notifier}}</p></section>
        {{/content}}{{/layout}}
        """
}
