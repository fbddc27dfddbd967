// The WebhookSender portal: the <webhooks-portal> element, in plain JavaScript with no dependencies and no build step.
// It draws everything with DOM calls (never innerHTML), so nothing the API returns can run as markup, and it keeps the
// signed link's token in a private field, never in the page or the address bar.
const STYLESHEET = new URL('portal.css', import.meta.url).href;
const ALL_PERMISSIONS = ['readLog', 'manageEndpoints', 'secrets', 'redeliver'];
const FORMATS = [['json', 'JSON'], ['jsonarray', 'JSON array'], ['xml', 'XML'], ['form', 'Form (URL-encoded)']];
const LOG_FILTERS = [['', 'All'], ['queued', 'Queued'], ['dispatched', 'Dispatched'], ['succeeded', 'Success'], ['failed', 'Failed']];
const PAGE_SIZE = 20;
const REDACTED = '********';

/** A problem the API answered (RFC 9457), with its per-field errors. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.errors = problem?.errors || {};
  }
}

/** The management API at one base path, with the host's cookie or a signed link's token. */
class Api {
  #base;
  #token;

  constructor(base, token) {
    this.#base = base.replace(/\/$/, '');
    this.#token = token;
  }

  async send(method, path, body, contentType = 'application/json') {
    const headers = { Accept: 'application/json' };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['Content-Type'] = contentType;
    let response;
    try {
      response = await fetch(this.#base + path, {
        method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, { detail: 'The server could not be reached. Check your connection and try again.' });
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  get(path) { return this.send('GET', path); }
  post(path, body) { return this.send('POST', path, body); }
  patch(path, body) { return this.send('PATCH', path, body, 'application/merge-patch+json'); }
  delete(path) { return this.send('DELETE', path); }
}

/** Creates an element: attributes (on* are listeners; value, checked and disabled are properties) and children. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'disabled') element[name] = value;
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const q = (value) => encodeURIComponent(value);
const formatTime = (value) => value ? new Date(value).toLocaleString() : '—';
const formatDuration = (ms) => ms === null || ms === undefined ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
const isoFromLocal = (value) => value ? new Date(value).toISOString() : null;
const pretty = (text) => {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text ?? ''; }
};

function ago(value) {
  if (!value) return 'never';
  const seconds = Math.max(0, (Date.now() - new Date(value).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** The state a subscription is in, as a badge: disabled, expired, failing or active. */
function stateOf(subscription) {
  if (!subscription.isActive) return ['disabled', 'Disabled'];
  if (subscription.expiresAt && new Date(subscription.expiresAt) < new Date()) return ['disabled', 'Expired'];
  if (subscription.failingSince || subscription.consecutiveFailures > 0) return ['failing', 'Failing'];
  return ['active', 'Active'];
}

const badge = (kind, text) => h('span', { class: `badge badge-${kind}` }, text);
const statusBadge = (status) => badge({ succeeded: 'active', failed: 'failing', queued: 'neutral', dispatched: 'info', unread: 'neutral' }[status] || 'neutral', status);
/** What names an endpoint: its URL, or for a pull subscription (no URL, its reader fetches the updates) its name or id. */
const labelOf = (subscription) => subscription.url ?? `Pull: ${subscription.name || subscription.id}`;
const receivesAll = (subscription) => subscription.eventTypes.length === 0 || subscription.eventTypes.includes('*');

class WebhooksPortal extends HTMLElement {
  #api;
  #permissions = new Set(ALL_PERMISSIONS);
  #catalog = null;
  #main;
  #notice;

  async connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    this.#applyBranding();
    this.#notice = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' });
    this.#main = h('main', { class: 'main' });
    const logo = this.getAttribute('logo');
    root.append(
      h('link', { rel: 'stylesheet', href: STYLESHEET }),
      h('div', { class: 'portal' },
        h('header', { class: 'top' },
          logo ? h('img', { class: 'logo', src: logo, alt: '' }) : null,
          h('h1', {}, this.getAttribute('heading') || 'Webhooks')),
        this.#notice,
        this.#main));

    let token = null;
    if (this.getAttribute('auth') === 'link') {
      token = new URLSearchParams(location.hash.slice(1)).get('token');
      // The token leaves the address bar at once: not in history, bookmarks or a screenshot of the URL.
      if (location.hash) history.replaceState(null, '', location.pathname + location.search);
      if (!token) {
        this.#fatal('This link to the webhooks portal is incomplete. Open the portal again from the application to get a new link.');
        return;
      }
    }
    this.#api = new Api(this.getAttribute('api') || '', token);
    if (token) {
      try {
        const link = await this.#api.get('/link');
        this.#permissions = new Set(link.permissions);
      } catch (error) {
        this.#fatal(error.message);
        return;
      }
    }
    this.showList();
  }

  #applyBranding() {
    const primary = this.getAttribute('primary-color');
    const background = this.getAttribute('background-color');
    if (primary) this.style.setProperty('--whp-primary', primary);
    if (background) this.style.setProperty('--whp-background', background);
  }

  #can(permission) { return this.#permissions.has(permission); }

  #fatal(message) {
    this.#main.replaceChildren(h('div', { class: 'panel fatal', role: 'alert' }, h('h2', {}, 'The portal cannot open'), h('p', {}, message)));
  }

  #say(message, kind = 'ok') {
    this.#notice.replaceChildren(h('p', { class: `notice-${kind}` }, message));
  }

  #show(title, ...content) {
    const heading = h('h2', { tabindex: '-1', class: 'view-title' }, title);
    this.#main.replaceChildren(heading, ...content);
    heading.focus();
  }

  /** Runs an API call from a button: the button is busy meanwhile, and a failure is said, not thrown. */
  async #run(button, action) {
    if (button) button.disabled = true;
    try {
      return await action();
    } catch (error) {
      this.#say(error.message, 'error');
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  async #loadCatalog() {
    if (!this.#catalog) this.#catalog = (await this.#api.get('/event-types?limit=1000')).items;
    return this.#catalog;
  }

  // ---- The list of endpoints ----

  async showList(cursor = null) {
    this.#notice.replaceChildren();
    const body = h('tbody');
    const table = h('table', { class: 'table list' },
      h('thead', {}, h('tr', {}, ['Endpoint', 'Events', 'State', 'Last delivery', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      body);
    const more = h('div', { class: 'paging' });
    const add = this.#can('manageEndpoints') ? h('button', { class: 'primary', type: 'button', onclick: () => this.showForm(null) }, 'Add endpoint') : null;
    this.#show('Endpoints', h('div', { class: 'toolbar' }, add), table, more);
    await this.#appendPage(body, more, cursor);
  }

  async #appendPage(body, more, cursor) {
    let page;
    try {
      page = await this.#api.get(`/?limit=${PAGE_SIZE}${cursor ? `&cursor=${q(cursor)}` : ''}`);
    } catch (error) {
      this.#say(error.message, 'error');
      return;
    }
    if (!cursor && page.items.length === 0) {
      body.append(h('tr', {}, h('td', { colspan: '5', class: 'empty' },
        'No endpoints yet. ', this.#can('manageEndpoints') ? 'Add one to receive webhooks.' : '')));
    }
    for (const subscription of page.items) body.append(this.#row(subscription));
    more.replaceChildren(page.nextCursor
      ? h('button', { type: 'button', onclick: (e) => { e.currentTarget.remove(); this.#appendPage(body, more, page.nextCursor); } }, 'Load more')
      : '');
  }

  #row(subscription) {
    const [kind, text] = stateOf(subscription);
    const last = h('td', { 'data-label': 'Last delivery' }, '…');
    this.#api.get(`/${q(subscription.id)}/deliveries?limit=1`).then(
      (page) => last.replaceChildren(page.items[0]
        ? h('span', {}, statusBadge(page.items[0].status), ' ', h('time', { datetime: page.items[0].createdAt, title: formatTime(page.items[0].createdAt) }, ago(page.items[0].createdAt)))
        : 'None yet'),
      () => last.replaceChildren('—'));
    return h('tr', { 'data-subscription': subscription.id },
      h('td', { 'data-label': 'Endpoint' },
        h('button', { type: 'button', class: 'link url', onclick: () => this.showDetail(subscription.id) }, labelOf(subscription)),
        subscription.name || subscription.description
          ? h('div', { class: 'muted' }, [subscription.name, subscription.description].filter(Boolean).join(' — '))
          : null),
      h('td', { 'data-label': 'Events' }, receivesAll(subscription) ? 'All events' : subscription.eventTypes.join(', ')),
      h('td', { 'data-label': 'State' }, badge(kind, text)),
      last,
      h('td', { 'data-label': 'Actions' }, this.#menu(subscription)));
  }

  /** The row's actions menu: a button that opens a list of items, with arrow keys and Escape. */
  #menu(subscription) {
    const items = [['Open', () => this.showDetail(subscription.id)]];
    if (this.#can('manageEndpoints')) {
      items.push(['Edit', () => this.showForm(subscription.id)]);
      items.push(['Send ping', () => this.#ping(subscription.id)]);
      items.push(subscription.isActive ? ['Disable', () => this.#setActive(subscription.id, false)] : ['Enable', () => this.#setActive(subscription.id, true)]);
      items.push(['Delete', () => this.#confirmDelete(subscription)]);
    }
    const list = h('ul', { class: 'menu-list', role: 'menu', hidden: true });
    const toggle = h('button', { type: 'button', class: 'menu-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-label': `Actions for ${labelOf(subscription)}` }, '⋯');
    const close = (focusToggle) => {
      list.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      if (focusToggle) toggle.focus();
    };
    for (const [label, action] of items) {
      list.append(h('li', { role: 'none' }, h('button', { type: 'button', role: 'menuitem', onclick: () => { close(false); action(); } }, label)));
    }
    toggle.addEventListener('click', () => {
      const open = list.hidden;
      list.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (open) list.querySelector('button').focus();
    });
    list.addEventListener('keydown', (event) => {
      const buttons = [...list.querySelectorAll('button')];
      const index = buttons.indexOf(this.shadowRoot.activeElement);
      if (event.key === 'Escape') { event.preventDefault(); close(true); }
      if (event.key === 'ArrowDown') { event.preventDefault(); buttons[(index + 1) % buttons.length].focus(); }
      if (event.key === 'ArrowUp') { event.preventDefault(); buttons[(index - 1 + buttons.length) % buttons.length].focus(); }
    });
    list.addEventListener('focusout', (event) => { if (!list.contains(event.relatedTarget) && event.relatedTarget !== toggle) close(false); });
    return h('div', { class: 'menu' }, toggle, list);
  }

  // ---- Actions ----

  async #ping(id, button) {
    const ping = await this.#run(button, () => this.#api.post(`/${q(id)}/ping`));
    if (ping) this.#say(`Ping queued: message ${ping.messageId}.`);
  }

  async #setActive(id, active, button) {
    const done = await this.#run(button, () => this.#api.post(`/${q(id)}/${active ? 'enable' : 'disable'}`));
    if (!done) return;
    this.#say(active ? 'Endpoint enabled: deliveries are sent again.' : 'Endpoint disabled: nothing is sent until it is enabled.');
    if (this.#main.querySelector('[data-detail]')) this.showDetail(id, false); else this.showList();
  }

  #confirmDelete(subscription) {
    this.#dialog('Delete this endpoint?', (dialog) => [
      h('p', {}, 'Deliveries to ', h('strong', {}, labelOf(subscription)), ' stop, and its delivery log is no longer shown here. This cannot be undone.'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', autofocus: true, onclick: () => dialog.close() }, 'Cancel'),
        h('button', { type: 'button', class: 'danger', onclick: async (e) => {
          const done = await this.#run(e.currentTarget, () => this.#api.delete(`/${q(subscription.id)}`).then(() => true));
          dialog.close();
          if (done) { this.showList(); this.#say('Endpoint deleted.'); }
        } }, 'Delete endpoint')),
    ]);
  }

  /** The one place a secret is shown: a dialog with a copy button; closing it removes the secret from the page. */
  #showSecret(secret, why) {
    this.#dialog('Signing secret', (dialog) => {
      const code = h('code', { class: 'secret', 'data-secret': true }, secret);
      const copied = h('span', { class: 'muted', role: 'status' });
      return [
        h('p', {}, why, ' Copy it now: it is not shown again. Your receiver verifies each webhook\'s signature with it.'),
        h('div', { class: 'secret-box' }, code,
          h('button', { type: 'button', onclick: async () => {
            copied.textContent = await copy(secret, code) ? 'Copied.' : 'Select the secret and copy it.';
          } }, 'Copy')),
        copied,
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', autofocus: true, onclick: () => dialog.close() }, 'I have saved it')),
      ];
    });
  }

  #dialog(title, content) {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' });
    dialog.append(h('h2', { id: 'dialog-title' }, title), ...content(dialog));
    dialog.addEventListener('close', () => dialog.remove());
    this.shadowRoot.append(dialog);
    dialog.showModal();
    return dialog;
  }

  // ---- Create and edit: one form for both ----

  async showForm(id) {
    this.#notice.replaceChildren();
    let subscription = null;
    let catalog;
    try {
      [subscription, catalog] = await Promise.all([id ? this.#api.get(`/${q(id)}`) : null, this.#loadCatalog()]);
    } catch (error) {
      this.#say(error.message, 'error');
      return;
    }
    const form = new SubscriptionForm(subscription, catalog);
    const general = h('div', { class: 'form-error', role: 'alert' });
    const save = h('button', { type: 'submit', class: 'primary' }, id ? 'Save changes' : 'Create endpoint');
    const element = h('form', { class: 'panel form', novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      form.clearErrors();
      general.replaceChildren();
      save.disabled = true;
      try {
        if (id) {
          await this.#api.patch(`/${q(id)}`, form.patch());
          this.showDetail(id);
          this.#say('Changes saved.');
        } else {
          const created = await this.#api.post('/', form.value());
          this.showDetail(created.subscription.id);
          this.#showSecret(created.secret, 'Your endpoint is created and a ping is on its way.');
        }
      } catch (error) {
        const unplaced = form.showErrors(error.errors);
        general.replaceChildren(error.message, ...(unplaced.length ? [h('ul', {}, unplaced.map((m) => h('li', {}, m)))] : []));
        (element.querySelector('[aria-invalid="true"]') || general).focus?.();
      } finally {
        save.disabled = false;
      }
    } },
    general,
    form.fields(),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => (id ? this.showDetail(id) : this.showList()) }, 'Cancel'),
      save));
    this.#show(id ? 'Edit endpoint' : 'Add endpoint', element);
  }

  // ---- One endpoint: its settings, tests and delivery log ----

  /** Where a pull subscription's reader is: how many messages wait for it, and since when. */
  #pullBacklog(id) {
    const shown = h('span', { 'data-pull-backlog': '' }, '…');
    Promise.all([this.#api.get(`/${q(id)}/updates/backlog`), this.#api.get(`/${q(id)}/attempts?limit=1`)]).then(
      ([b, reads]) => shown.replaceChildren(b.unread === 0
        ? 'Read up to date: no message waits for the reader.'
        : `${b.unread} ${b.unread === 1 ? 'message waits' : 'messages wait'} for the reader, the oldest from ${formatTime(b.oldestAt)}.`,
      ' ',
      reads.items[0]
        ? h('span', { 'data-last-read': '' }, 'Last read ', h('time', { datetime: reads.items[0].startedAt, title: formatTime(reads.items[0].startedAt) }, ago(reads.items[0].startedAt)), '.')
        : h('span', { 'data-last-read': '' }, 'Never read yet.'),
      h('small', { class: 'muted' }, ' The reader fetches them from the updates endpoint; each read is in the delivery log.')),
      () => shown.replaceChildren('—'));
    return shown;
  }

  async showDetail(id, clearNotice = true) {
    if (clearNotice) this.#notice.replaceChildren();
    let subscription;
    try {
      subscription = await this.#api.get(`/${q(id)}`);
    } catch (error) {
      this.#say(error.message, 'error');
      return;
    }
    const [kind, text] = stateOf(subscription);
    const report = h('section', { class: 'report', 'aria-label': 'Test report' });
    const actions = h('div', { class: 'toolbar' });
    const button = (label, action, cls) => h('button', { type: 'button', class: cls, onclick: (e) => action(e.currentTarget) }, label);
    if (this.#can('manageEndpoints')) {
      actions.append(
        button('Edit', () => this.showForm(id), 'primary'),
        subscription.url ? button('Send test', (b) => this.#sendTest(id, report, b)) : '',
        button('Send ping', (b) => this.#ping(id, b)),
        subscription.isActive ? button('Disable', (b) => this.#setActive(id, false, b)) : button('Enable', (b) => this.#setActive(id, true, b)));
    }
    if (this.#can('secrets')) {
      actions.append(
        button('Reveal secret', async (b) => {
          const secret = await this.#run(b, () => this.#api.get(`/${q(id)}/secret`));
          if (secret) this.#showSecret(secret.secret, 'This is the secret signing webhooks now.');
        }),
        button('Rotate secret', async (b) => {
          const secret = await this.#run(b, () => this.#api.post(`/${q(id)}/rotate-secret`, {}));
          if (secret) this.#showSecret(secret.secret, 'A new secret is signing. For the overlap the application sets, webhooks also carry the old secret\'s signature, so you can switch over.');
        }));
    }
    if (this.#can('manageEndpoints')) actions.append(button('Delete', () => this.#confirmDelete(subscription), 'danger'));

    const facts = h('dl', { class: 'facts' },
      fact('State', badge(kind, text)),
      fact('Events', receivesAll(subscription) ? 'All events' : subscription.eventTypes.join(', ')),
      fact('Format', `${FORMATS.find((f) => f[0] === subscription.format)?.[1] ?? subscription.format}, ${subscription.method}`),
      fact('Signatures', (subscription.signatures || ['v1']).map((v) => (v === 'v1a' ? 'v1a (Ed25519)' : 'v1 (HMAC, with the secret)')).join(', ')),
      subscription.publicKeys?.length
        ? fact('Public keys', h('ul', { class: 'keys' }, subscription.publicKeys.map((k) => h('li', {},
          h('code', { 'data-public-key': '' }, k.publicKey),
          k.expiresAt ? h('small', { class: 'muted' }, ` signs until ${formatTime(k.expiresAt)}`) : ''))))
        : null,
      subscription.url ? null : fact('Pull', this.#pullBacklog(id)),
      subscription.clientCertificate
        ? fact('Client certificate', h('span', { 'data-client-certificate': '' }, subscription.clientCertificate.subject,
          h('small', { class: 'muted' }, ` expires ${formatTime(subscription.clientCertificate.expiresAt)}`)))
        : null,
      fact('Created', formatTime(subscription.createdAt)),
      subscription.failingSince ? fact('Failing since', `${formatTime(subscription.failingSince)} (${subscription.consecutiveFailures} failed attempts in a row)`) : null,
      subscription.disabledReason ? fact('Disabled because', subscription.disabledReason) : null);

    this.#show(labelOf(subscription),
      h('div', { 'data-detail': id },
        h('button', { type: 'button', class: 'link back', onclick: () => this.showList() }, '← All endpoints'),
        subscription.name || subscription.description ? h('p', { class: 'muted' }, [subscription.name, subscription.description].filter(Boolean).join(' — ')) : null,
        actions, facts, report,
        new DeliveryLog(this.#api, id, {
          canRedeliver: this.#can('redeliver'),
          say: (m, k) => this.#say(m, k),
          run: (b, a) => this.#run(b, a),
        }).element()));
  }

  async #sendTest(id, report, button) {
    report.replaceChildren(h('p', { class: 'muted' }, 'Sending the example of each event type…'));
    const result = await this.#run(button, () => this.#api.post(`/${q(id)}/test`));
    if (!result) { report.replaceChildren(); return; }
    report.replaceChildren(
      h('h3', {}, `Test: ${result.testsSucceeded} of ${result.testsRun} succeeded`),
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ['Event type', 'Result', 'Response', 'Duration', 'Error'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, result.tests.map((t) => h('tr', {},
          h('td', { 'data-label': 'Event type' }, t.eventType),
          h('td', { 'data-label': 'Result' }, t.succeeded ? badge('active', 'Passed') : badge('failing', 'Failed')),
          h('td', { 'data-label': 'Response' }, t.statusCode ?? '—'),
          h('td', { 'data-label': 'Duration' }, formatDuration(t.durationMs)),
          h('td', { 'data-label': 'Error' }, t.error ?? ''))))));
  }
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

async function copy(text, element) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = element.getRootNode().getSelection?.() || window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }
}

/** The fields of a subscription, filled from one (edit) or empty (create), with errors placed next to each field. */
class SubscriptionForm {
  #original;
  #catalog;
  #inputs = {};
  #errorSlots = {};
  #headerRows;
  #filterRows;
  #audience = null;

  constructor(subscription, catalog) {
    this.#original = subscription;
    this.#catalog = catalog;
  }

  fields() {
    const s = this.#original || {};
    const auth = s.authentication || null;
    this.#inputs.url = h('input', { type: 'url', value: s.url || '', placeholder: 'https://example.com/webhooks', autocomplete: 'url' });
    this.#inputs.name = h('input', { type: 'text', value: s.name || '' });
    this.#inputs.description = h('textarea', { rows: '2' });
    this.#inputs.description.value = s.description || '';
    this.#inputs.format = h('select', {}, FORMATS.map(([v, l]) => h('option', { value: v }, l)));
    this.#inputs.format.value = s.format || 'json';
    this.#inputs.method = h('select', {}, ['POST', 'PUT'].map((v) => h('option', { value: v }, v)));
    this.#inputs.method.value = s.method || 'POST';
    this.#inputs.scheme = h('select', {}, [['', 'None'], ['basic', 'Basic (username and password)'], ['bearer', 'Bearer token'], ['header', 'Custom header'], ['oauth2', 'OAuth 2.0 client credentials']].map(([v, l]) => h('option', { value: v }, l)));
    this.#inputs.scheme.value = auth?.scheme || '';
    this.#inputs.username = h('input', { type: 'text', value: auth?.username || '', autocomplete: 'off' });
    this.#inputs.headerName = h('input', { type: 'text', value: auth?.headerName || '', placeholder: 'X-Api-Key', autocomplete: 'off' });
    this.#inputs.tokenUrl = h('input', { type: 'url', value: auth?.tokenUrl || '', placeholder: 'https://auth.example.com/oauth/token', autocomplete: 'off' });
    this.#inputs.scopes = h('input', { type: 'text', value: (auth?.scopes || []).join(' '), placeholder: 'orders:write', autocomplete: 'off' });
    this.#audience = auth?.audience ?? null; // not shown; kept as it is
    // An existing credential reads back redacted; sending the redaction back keeps it.
    this.#inputs.secret = h('input', { type: 'password', value: auth ? REDACTED : '', autocomplete: 'new-password' });

    const authFields = h('div', { class: 'nested' },
      this.#field('Username or client id', this.#inputs.username, 'authentication.username'),
      this.#field('Header name', this.#inputs.headerName, 'authentication.headerName'),
      this.#field('Token URL', this.#inputs.tokenUrl, 'authentication.tokenUrl'),
      this.#field('Scopes', this.#inputs.scopes, 'authentication.scopes', 'Separated by spaces.'),
      this.#field('Password, token or header value', this.#inputs.secret, 'authentication.secret', auth ? 'Leave as it is to keep the stored value.' : null));
    const showAuth = () => {
      const scheme = this.#inputs.scheme.value;
      authFields.hidden = !scheme;
      this.#inputs.username.closest('.field').hidden = scheme !== 'basic' && scheme !== 'oauth2';
      this.#inputs.headerName.closest('.field').hidden = scheme !== 'header';
      this.#inputs.tokenUrl.closest('.field').hidden = scheme !== 'oauth2';
      this.#inputs.scopes.closest('.field').hidden = scheme !== 'oauth2';
    };
    this.#inputs.scheme.addEventListener('change', showAuth);
    showAuth();

    this.#headerRows = new PairRows('Header', 'Value', Object.entries(s.headers || {}));
    this.#filterRows = new PairRows('Attribute', 'Values (comma-separated)', Object.entries(s.filters || {}).map(([k, v]) => [k, v.join(', ')]));

    return [
      this.#field('Endpoint URL', this.#inputs.url, 'url', 'Where the webhooks are sent. Use https. Leave it empty if your system cannot accept calls: the messages are then kept for it to fetch (pull).'),
      this.#field('Name', this.#inputs.name, 'name'),
      this.#field('Description', this.#inputs.description, 'description'),
      this.#events(s),
      h('div', { class: 'row' },
        this.#field('Format', this.#inputs.format, 'format'),
        this.#field('Method', this.#inputs.method, 'method')),
      h('fieldset', { class: 'group' }, h('legend', {}, 'Authentication'),
        this.#field('Scheme', this.#inputs.scheme, 'authentication'),
        authFields),
      h('fieldset', { class: 'group' }, h('legend', {}, 'Headers'),
        h('p', { class: 'hint' }, 'Sent with every webhook.'), this.#headerRows.element(), this.#slot('headers')),
      h('fieldset', { class: 'group' }, h('legend', {}, 'Filters'),
        h('p', { class: 'hint' }, 'Only events whose attribute has one of the values are sent.'), this.#filterRows.element(), this.#slot('filters')),
    ];
  }

  #events(s) {
    const all = !this.#original || receivesAll(s);
    const everything = h('input', { type: 'radio', name: 'events-mode', value: 'all', checked: all, id: 'events-all' });
    const chosen = h('input', { type: 'radio', name: 'events-mode', value: 'chosen', checked: !all, id: 'events-chosen' });
    this.#inputs.eventsAll = everything;
    const list = h('div', { class: 'event-list' });
    this.#inputs.events = [];
    for (const type of this.#catalog) {
      const id = `event-${type.name}`;
      const box = h('input', { type: 'checkbox', value: type.name, id, checked: !all && s.eventTypes?.includes(type.name), 'aria-describedby': `${id}-about` });
      this.#inputs.events.push(box);
      list.append(h('div', { class: 'event' },
        box,
        h('div', {}, h('label', { for: id, class: 'event-name' }, type.name), h('span', { class: 'muted', id: `${id}-about` }, ` — ${type.description}`)),
        type.example !== null && type.example !== undefined
          ? h('details', {}, h('summary', {}, 'Example payload'), h('pre', {}, JSON.stringify(type.example, null, 2)))
          : null));
    }
    const sync = () => { list.hidden = everything.checked; };
    everything.addEventListener('change', sync);
    chosen.addEventListener('change', sync);
    sync();
    return h('fieldset', { class: 'group', 'data-field': 'eventTypes' },
      h('legend', {}, 'Events'),
      h('div', { class: 'radio' }, everything, h('label', { for: 'events-all' }, 'Send me everything')),
      h('div', { class: 'radio' }, chosen, h('label', { for: 'events-chosen' }, 'Only the events I choose')),
      list,
      this.#slot('eventTypes'));
  }

  #slot(name) {
    const slot = h('p', { class: 'error', id: `error-${name.replace(/\W/g, '-')}` });
    this.#errorSlots[name] = slot;
    return slot;
  }

  #field(label, input, name, hint = null) {
    const id = `field-${name.replace(/\W/g, '-')}`;
    input.id = id;
    const slot = this.#slot(name);
    input.setAttribute('aria-describedby', slot.id);
    this.#errorSlots[name].input = input;
    return h('div', { class: 'field', 'data-field': name },
      h('label', { for: id }, label),
      input,
      hint ? h('p', { class: 'hint' }, hint) : null,
      slot);
  }

  /** The whole subscription, as creating it takes. */
  value() {
    const scheme = this.#inputs.scheme.value;
    const value = {
      url: this.#inputs.url.value.trim() || null,
      name: this.#inputs.name.value.trim() || null,
      description: this.#inputs.description.value.trim() || null,
      eventTypes: this.#inputs.eventsAll.checked ? ['*'] : this.#inputs.events.filter((b) => b.checked).map((b) => b.value),
      format: this.#inputs.format.value,
      method: this.#inputs.method.value,
      headers: Object.fromEntries(this.#headerRows.pairs()),
      filters: Object.fromEntries(this.#filterRows.pairs().map(([k, v]) => [k, v.split(',').map((x) => x.trim()).filter(Boolean)])),
      authentication: scheme ? {
        scheme,
        username: scheme === 'basic' || scheme === 'oauth2' ? this.#inputs.username.value : null,
        headerName: scheme === 'header' ? this.#inputs.headerName.value : null,
        secret: this.#inputs.secret.value,
        ...(scheme === 'oauth2' ? {
          tokenUrl: this.#inputs.tokenUrl.value.trim() || null,
          scopes: this.#inputs.scopes.value.split(/\s+/).filter(Boolean),
          audience: this.#audience,
        } : {}),
      } : null,
    };
    return value;
  }

  /** The edit as a merge patch: every field of the form, and null for each header or filter removed. */
  patch() {
    const value = this.value();
    for (const key of Object.keys(this.#original.headers || {})) if (!(key in value.headers)) value.headers[key] = null;
    for (const key of Object.keys(this.#original.filters || {})) if (!(key in value.filters)) value.filters[key] = null;
    return value;
  }

  clearErrors() {
    for (const slot of Object.values(this.#errorSlots)) {
      slot.textContent = '';
      slot.input?.removeAttribute('aria-invalid');
    }
  }

  /** Puts each error next to its field (or the nearest enclosing one); returns those with no place. */
  showErrors(errors) {
    const unplaced = [];
    for (const [name, messages] of Object.entries(errors || {})) {
      let key = name;
      while (key && !this.#errorSlots[key]) key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '';
      const slot = this.#errorSlots[key];
      if (!slot) { unplaced.push(...messages.map((m) => `${name}: ${m}`)); continue; }
      slot.textContent = [slot.textContent, ...messages].filter(Boolean).join(' ');
      slot.input?.setAttribute('aria-invalid', 'true');
    }
    return unplaced;
  }
}

/** Rows of name and value inputs, for headers and filters, with add and remove buttons. */
class PairRows {
  #rows = h('div', { class: 'pairs' });
  #nameLabel;
  #valueLabel;

  constructor(nameLabel, valueLabel, pairs) {
    this.#nameLabel = nameLabel;
    this.#valueLabel = valueLabel;
    for (const [name, value] of pairs) this.#add(name, value);
  }

  element() {
    return [this.#rows, h('button', { type: 'button', class: 'small', onclick: () => this.#add('', '', true) }, `Add ${this.#nameLabel.toLowerCase()}`)];
  }

  #add(name, value, focus = false) {
    const nameInput = h('input', { type: 'text', value: name, 'aria-label': this.#nameLabel, placeholder: this.#nameLabel });
    const valueInput = h('input', { type: value === REDACTED ? 'password' : 'text', value, 'aria-label': this.#valueLabel, placeholder: this.#valueLabel });
    const row = h('div', { class: 'pair' }, nameInput, valueInput,
      h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${this.#nameLabel.toLowerCase()} ${name}`.trim(), onclick: () => row.remove() }, 'Remove'));
    this.#rows.append(row);
    if (focus) nameInput.focus();
  }

  pairs() {
    return [...this.#rows.querySelectorAll('.pair')]
      .map((row) => [...row.querySelectorAll('input')].map((i) => i.value.trim()))
      .filter(([name]) => name);
  }
}

/** One endpoint's deliveries: status filters, a time range, pages, attempts expandable to request and response. */
class DeliveryLog {
  #api;
  #id;
  #context;
  #status = '';
  #since = '';
  #until = '';
  #cursors = [null];
  #body = h('tbody');
  #paging = h('div', { class: 'paging' });

  constructor(api, id, context) {
    this.#api = api;
    this.#id = id;
    this.#context = context;
  }

  element() {
    const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Show deliveries' },
      LOG_FILTERS.map(([value, label]) => h('button', {
        type: 'button', class: 'filter', 'aria-pressed': String(value === this.#status), 'data-status': value,
        onclick: (e) => {
          this.#status = value;
          for (const b of filters.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === e.currentTarget));
          this.#reload();
        },
      }, label)));
    const since = h('input', { type: 'datetime-local', id: 'log-since' });
    const until = h('input', { type: 'datetime-local', id: 'log-until' });
    const range = h('form', { class: 'range', onsubmit: (e) => { e.preventDefault(); this.#since = isoFromLocal(since.value); this.#until = isoFromLocal(until.value); this.#reload(); } },
      h('div', { class: 'field inline' }, h('label', { for: 'log-since' }, 'From'), since),
      h('div', { class: 'field inline' }, h('label', { for: 'log-until' }, 'To'), until),
      h('button', { type: 'submit' }, 'Apply'),
      h('button', { type: 'button', onclick: () => this.#reload() }, 'Refresh'));
    const table = h('table', { class: 'table log' },
      h('thead', {}, h('tr', {}, ['Message', 'Event', 'Status', 'Attempts', 'Created', 'Last response', ''].map((c) => h('th', { scope: 'col' }, c)))),
      this.#body);
    this.#reload();
    return h('section', { class: 'panel', 'aria-labelledby': 'log-title' },
      h('h3', { id: 'log-title' }, 'Delivery log'),
      filters, range, table, this.#paging,
      this.#context.canRedeliver ? this.#recoverForm() : null);
  }

  #recoverForm() {
    const since = h('input', { type: 'datetime-local', id: 'recover-since', required: true });
    const result = h('span', { class: 'muted', role: 'status' });
    return h('form', { class: 'range recover', onsubmit: async (e) => {
      e.preventDefault();
      if (!since.value) { result.textContent = 'Choose the time to recover from.'; since.focus(); return; }
      const done = await this.#context.run(e.submitter, () => this.#api.post(`/${q(this.#id)}/recover`, { since: isoFromLocal(since.value) }));
      if (done) { result.textContent = `${done.redelivered} failed deliveries sent again.`; this.#reload(); }
    } },
    h('div', { class: 'field inline' }, h('label', { for: 'recover-since' }, 'Recover failed deliveries since'), since),
    h('button', { type: 'submit' }, 'Recover'),
    result);
  }

  #reload() {
    this.#cursors = [null];
    this.#load();
  }

  async #load() {
    const cursor = this.#cursors[this.#cursors.length - 1];
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (this.#status) query.set('status', this.#status);
    if (this.#since) query.set('since', this.#since);
    if (this.#until) query.set('until', this.#until);
    if (cursor) query.set('cursor', cursor);
    let page;
    try {
      page = await this.#api.get(`/${q(this.#id)}/deliveries?${query}`);
    } catch (error) {
      this.#context.say(error.message, 'error');
      return;
    }
    this.#body.replaceChildren(...(page.items.length
      ? page.items.flatMap((d) => this.#rows(d))
      : [h('tr', {}, h('td', { colspan: '7', class: 'empty' }, 'No deliveries match.'))]));
    this.#paging.replaceChildren(
      this.#cursors.length > 1 ? h('button', { type: 'button', onclick: () => { this.#cursors.pop(); this.#load(); } }, 'Newer') : '',
      page.nextCursor ? h('button', { type: 'button', onclick: () => { this.#cursors.push(page.nextCursor); this.#load(); } }, 'Older') : '');
  }

  #rows(delivery) {
    const detail = h('tr', { class: 'expansion', hidden: true }, h('td', { colspan: '7' }));
    const toggle = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-label': `Attempts of ${delivery.messageId}` }, 'Attempts');
    toggle.addEventListener('click', async () => {
      const open = detail.hidden;
      detail.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (open) await this.#attempts(delivery, detail.firstChild);
    });
    const redeliver = this.#context.canRedeliver
      ? h('button', { type: 'button', class: 'small', onclick: async (e) => {
        const done = await this.#context.run(e.currentTarget, () => this.#api.post(`/${q(this.#id)}/messages/${q(delivery.messageId)}/redeliver`));
        if (done) { this.#context.say(`Message ${delivery.messageId} queued again.`); this.#reload(); }
      } }, 'Redeliver')
      : null;
    return [
      h('tr', { 'data-delivery': delivery.id, 'data-status': delivery.status },
        h('td', { 'data-label': 'Message' }, h('code', {}, delivery.messageId)),
        h('td', { 'data-label': 'Event' }, delivery.eventType),
        h('td', { 'data-label': 'Status' }, statusBadge(delivery.status),
          delivery.status === 'queued' && delivery.holdReason
            ? h('small', { class: 'hold-reason', 'data-hold': '' }, `${delivery.holdReason} Next try ${formatTime(delivery.dueAt)}.`)
            : ''),
        h('td', { 'data-label': 'Attempts' }, delivery.attemptCount),
        h('td', { 'data-label': 'Created' }, h('time', { datetime: delivery.createdAt }, formatTime(delivery.createdAt))),
        h('td', { 'data-label': 'Last response' }, delivery.lastStatusCode ?? '—'),
        h('td', { class: 'row-actions' }, toggle, redeliver)),
      detail,
    ];
  }

  async #attempts(delivery, cell) {
    cell.replaceChildren(h('p', { class: 'muted' }, 'Loading attempts…'));
    let page;
    try {
      page = await this.#api.get(`/${q(this.#id)}/attempts?deliveryId=${q(delivery.id)}&limit=100`);
    } catch (error) {
      cell.replaceChildren(h('p', { class: 'error' }, error.message));
      return;
    }
    if (page.items.length === 0) {
      cell.replaceChildren(h('p', { class: 'muted' }, 'No attempt yet: the delivery is waiting its turn.'));
      return;
    }
    cell.replaceChildren(h('ul', { class: 'attempts' }, page.items.map((attempt) => this.#attempt(attempt))));
  }

  #attempt(attempt) {
    const panel = h('div', { class: 'attempt-detail', hidden: true });
    const toggle = h('button', { type: 'button', class: 'attempt-toggle', 'aria-expanded': 'false', 'data-attempt': attempt.id },
      statusBadge(attempt.status), ` Attempt ${attempt.attemptNumber} · ${attempt.statusCode ?? 'no response'} · ${formatDuration(attempt.durationMs)} · ${formatTime(attempt.startedAt)}`);
    toggle.addEventListener('click', async () => {
      const open = panel.hidden;
      panel.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      if (open && !panel.firstChild) await this.#attemptDetail(attempt, panel);
    });
    return h('li', {}, toggle, attempt.error ? h('p', { class: 'error' }, attempt.error) : null, panel);
  }

  async #attemptDetail(attempt, panel) {
    let detail;
    try {
      detail = await this.#api.get(`/${q(this.#id)}/attempts/${q(attempt.id)}`);
    } catch (error) {
      panel.replaceChildren(h('p', { class: 'error' }, error.message));
      return;
    }
    const headers = (values) => h('table', { class: 'headers' }, h('tbody', {},
      Object.entries(values || {}).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, Array.isArray(v) ? v.join(', ') : v)))));
    const body = (text, truncated) => [h('pre', { class: 'body' }, pretty(text)), truncated ? h('p', { class: 'muted' }, 'The body was cut to the stored limit.') : null];
    panel.replaceChildren(
      h('p', { class: 'muted' }, `Attempt ${detail.attempt.id} · delivery ${detail.attempt.deliveryId ?? '—'} · trigger ${detail.attempt.trigger}`),
      h('div', { class: 'exchange' },
        h('section', { 'aria-label': 'Request' },
          h('h4', {}, 'Request'),
          h('p', {}, h('code', {}, `${detail.request.method} ${detail.request.url}`)),
          headers(detail.request.headers),
          body(detail.request.body, detail.request.bodyTruncated)),
        h('section', { 'aria-label': 'Response' },
          h('h4', {}, 'Response'),
          detail.response
            ? [h('p', {}, h('code', {}, String(detail.response.statusCode))), headers(detail.response.headers), body(detail.response.body, detail.response.bodyTruncated)]
            : h('p', { class: 'muted' }, detail.attempt.error || 'No response was received.'))),
      ...(detail.warnings?.length ? [h('ul', { class: 'warnings' }, detail.warnings.map((w) => h('li', {}, w)))] : []));
  }
}

if (!customElements.get('webhooks-portal')) customElements.define('webhooks-portal', WebhooksPortal);
