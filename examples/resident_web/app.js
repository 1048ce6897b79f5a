// A resident's web frontend for Linli: signs in with OAuth 2.0 (authorization code + PKCE, a
// public client: no secret in the page), then reads notices, joins group buys and lists the
// resident's orders through the public API. Plain browser JavaScript, no build step.
//
// config.json (written by serve.py) says where the API is: {api, clientId, community}.

const $ = (id) => document.getElementById(id);
const config = await (await fetch("config.json")).json();
const redirectUri = `${location.origin}/`;
const store = sessionStorage; // tokens live as long as the tab: nothing in cookies

// --- OAuth 2.0: authorization code with PKCE (RFC 7636) --------------------------------------

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function signIn() {
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  store.setItem("pkce", JSON.stringify({verifier, state}));
  const query = new URLSearchParams({
    response_type: "code", client_id: config.clientId, redirect_uri: redirectUri,
    scope: "read write profile", state, code_challenge: challenge,
    code_challenge_method: "S256", community: config.community,
  });
  location.assign(`${config.api}/oauth/authorize?${query}`);
}

async function tokenRequest(fields) {
  const answer = await fetch(`${config.api}/oauth/token`, {
    method: "POST",
    headers: {"Content-Type": "application/x-www-form-urlencoded"},
    body: new URLSearchParams({client_id: config.clientId, ...fields}),
  });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.error_description || body.error || "sign-in failed");
  store.setItem("tokens", JSON.stringify(body));
  return body;
}

async function finishSignIn(params) {
  const started = JSON.parse(store.getItem("pkce") || "null");
  store.removeItem("pkce");
  history.replaceState(null, "", redirectUri); // the code is single-use: drop it from the URL
  if (!started || params.get("state") !== started.state) throw new Error("not our sign-in");
  await tokenRequest({
    grant_type: "authorization_code", code: params.get("code"),
    redirect_uri: redirectUri, code_verifier: started.verifier,
  });
}

async function signOut() {
  const tokens = JSON.parse(store.getItem("tokens") || "null");
  store.removeItem("tokens");
  if (tokens) {
    await fetch(`${config.api}/oauth/revoke`, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams({token: tokens.refresh_token, client_id: config.clientId}),
    });
  }
  location.assign(redirectUri);
}

// --- The API: bearer token, problem details (RFC 9457), one refresh on expiry ------------------

async function api(path, {method = "GET", body, retried = false} = {}) {
  const tokens = JSON.parse(store.getItem("tokens"));
  const headers = {Authorization: `Bearer ${tokens.access_token}`};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["Idempotency-Key"] = crypto.randomUUID();
  const answer = await fetch(`${config.api}${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status === 401 && !retried) {
    await tokenRequest({grant_type: "refresh_token", refresh_token: tokens.refresh_token});
    return api(path, {method, body, retried: true});
  }
  const result = await answer.json();
  if (!answer.ok) throw new Error(result.detail || result.title || `HTTP ${answer.status}`);
  return result;
}

const community = `/v1/communities/${config.community}`;
const module = (name, op) => `${community}/modules/${name}/${op}`;

// --- What the resident sees --------------------------------------------------------------------

function money({amount, currency}) {
  const format = new Intl.NumberFormat("zh-CN", {style: "currency", currency});
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(amount / 10 ** digits);
}

function item(html) {
  const li = document.createElement("li");
  li.innerHTML = html;
  return li;
}

function text(value) {
  const span = document.createElement("span");
  span.textContent = value;
  return span.innerHTML;
}

function showError(error) {
  $("error").hidden = false;
  $("error").textContent = error.message;
}

async function showNotices() {
  const {items} = await api(module("noticeboard", "list-notices"));
  $("notice-list").replaceChildren(...items.map((n) =>
    item(`<strong>${text(n.title)}</strong><div>${text(n.body)}</div>`)));
  $("notices").hidden = false;
}

async function showCampaigns(me) {
  const {items} = await api(module("group_buying", "list-campaigns") + "?status=open");
  $("campaign-list").replaceChildren(...items.map((c) => {
    const li = item(
      `<strong>${text(c.title)}</strong> <span class="price">${money(c.unit_price)}</span>
       <div class="muted">${c.left} left · ${text(c.product)}</div>`);
    if (me.verified) {
      const form = document.createElement("form");
      form.className = "join";
      form.innerHTML = `<input name="quantity" type="number" min="1" value="1"
        aria-label="Quantity for ${text(c.title)}"><button>Join 参团</button>`;
      form.onsubmit = async (event) => {
        event.preventDefault();
        try {
          await api(module("group_buying", "join-campaign"), {method: "POST", body: {
            campaign_id: c.id, quantity: Number(form.quantity.value),
            pickup_point_id: c.pickup_points[0].id,
          }});
          await Promise.all([showCampaigns(me), showOrders()]);
        } catch (error) { showError(error); }
      };
      li.append(form);
    }
    return li;
  }));
  $("campaigns").hidden = false;
}

async function showOrders() {
  const {items} = await api(module("group_buying", "my-orders"));
  $("order-list").replaceChildren(...items.map((o) => item(
    `<span class="quantity">${o.quantity}</span> × order #${o.id} · ${money(o.amount)} · <span class="status">${text(o.status)}</span>
     ${o.pickup_code ? `<div class="muted">pickup code ${text(o.pickup_code)}</div>` : ""}`)));
  $("orders").hidden = false;
}

async function main() {
  $("sign-in").onclick = signIn;
  $("sign-out").onclick = signOut;
  const params = new URLSearchParams(location.search);
  if (params.has("code")) await finishSignIn(params);
  if (!store.getItem("tokens")) {
    $("sign-in").hidden = false;
    return;
  }
  const me = await api(`${community}/me`);
  $("who").textContent = `${me.display_name}${me.verified ? "" : " (not verified yet)"}`;
  $("sign-out").hidden = false;
  const {modules} = await api(`${community}/modules`);
  const enabled = new Set(modules.filter((m) => m.enabled).map((m) => m.name));
  if (enabled.has("noticeboard")) await showNotices();
  if (enabled.has("group_buying")) await Promise.all([showCampaigns(me), showOrders()]);
}

main().catch(showError);
