// bench/html_load.js - how long an insight HTML page takes to open and
// answer in headless Chromium, measured through the DevTools protocol.
//
//   node --experimental-websocket bench/html_load.js CHROMIUM PAGE.html [RUNS [QUERY]]
//
// Per run, a fresh tab loads the page and waits for the page's script to mark
// itself ready (body[data-ready]); the figures are the page's own Navigation
// Timing: load-to-interactive is from the start of navigation to the later of
// the end of the load event and the page's 'insight-ready' mark (a large
// report's data is inflated after the load event), then the time the page takes to
// apply a filter (#filter=failed), how long after it was ready it has the texts a
// search reads lower-cased (body[data-search-ready], done while the page is idle),
// and the time a text search for QUERY (default "test_") then takes, with the
// rows it found. Also counted: requests other than the page itself (there should
// be none). Prints one JSON line.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chromium, page, runsArg, queryArg] = process.argv.slice(2);
const runs = +(runsArg || 5);
const query = queryArg || 'test_';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'insight-cdp-'));
const proc = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage', '--remote-debugging-address=127.0.0.1',
	'--remote-debugging-port=0', '--user-data-dir=' + profile, 'about:blank'],
	{ stdio: ['ignore', 'ignore', 'pipe'] });
const killer = setTimeout(() => { proc.kill('SIGKILL'); process.exit(2); }, 300000);

function wsUrl() {
	return new Promise((resolve, reject) => {
		let err = '';
		proc.stderr.on('data', (d) => {
			err += d;
			const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
			if (m) resolve(m[1]);
		});
		proc.on('exit', () => reject(new Error('chromium exited: ' + err.slice(-500))));
	});
}

async function main() {
	const ws = new WebSocket(await wsUrl());
	await new Promise((r) => ws.addEventListener('open', r));
	let id = 0;
	const pending = new Map(), listeners = [];
	ws.addEventListener('message', (ev) => {
		const msg = JSON.parse(ev.data);
		if (msg.id && pending.has(msg.id)) {
			const { resolve, reject } = pending.get(msg.id);
			pending.delete(msg.id);
			if (msg.error) reject(new Error(JSON.stringify(msg.error)));
			else resolve(msg.result);
		} else {
			listeners.forEach((l) => l(msg));
		}
	});
	const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
		const m = { id: ++id, method, params };
		if (sessionId) m.sessionId = sessionId;
		pending.set(m.id, { resolve, reject });
		ws.send(JSON.stringify(m));
	});
	const url = 'file://' + path.resolve(page);
	const out = { load_ms: [], marks: [], filter_ms: [], search_ready_ms: [], search_ms: [],
		requests: 0, rows_failed: null, rows_search: null };
	for (let i = 0; i < runs; i++) {
		const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
		const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
		let requests = 0;
		const onMsg = (msg) => {
			if (msg.sessionId === sessionId && msg.method === 'Network.requestWillBeSent' &&
			    msg.params.request.url.split('#')[0] !== url)
				requests++;
		};
		listeners.push(onMsg);
		await send('Network.enable', {}, sessionId);
		await send('Page.enable', {}, sessionId);
		const loaded = new Promise((r) => listeners.push((msg) => {
			if (msg.sessionId === sessionId && msg.method === 'Page.loadEventFired') r();
		}));
		await send('Page.navigate', { url }, sessionId);
		await loaded;
		const ev = async (expr) => (await send('Runtime.evaluate',
			{ expression: expr, awaitPromise: true, returnByValue: true }, sessionId)).result.value;
		const t = await ev(`(async () => {
			while (document.body.dataset.ready !== '1') await new Promise(r => setTimeout(r, 5));
			const n = performance.getEntriesByType('navigation')[0];
			const r = performance.getEntriesByName('insight-ready')[0];
			const marks = {};
			performance.getEntriesByType('mark').forEach((m) => {
				if (m.name.startsWith('insight-')) marks[m.name.slice(8)] = m.startTime; });
			return [Math.max(n.loadEventEnd, r ? r.startTime : 0) - n.startTime, n.responseEnd,
				n.domInteractive, n.loadEventEnd, marks]; })()`);
		const act = (frag) => ev(`(async () => {
			const t0 = performance.now();
			location.hash = ${JSON.stringify(frag)};
			await new Promise(r => window.addEventListener('hashchange', r, { once: true }));
			await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
			return [performance.now() - t0,
				+document.getElementById('t-0').getAttribute('data-rows')]; })()`);
		const [f, nf] = await act('filter=failed');
		const ready = await ev(`(async () => {
			const t0 = performance.now();
			while (document.body.dataset.searchReady !== '1' && performance.now() - t0 < 60000)
				await new Promise(r => setTimeout(r, 5));
			const m = performance.getEntriesByName('insight-search-ready')[0];
			const r = performance.getEntriesByName('insight-ready')[0];
			return m && r ? m.startTime - r.startTime : -1; })()`);
		const [s, ns] = await act('q=' + encodeURIComponent(query) + '&filter=');
		out.load_ms.push(t.slice(0, 4).map(Math.round));
		out.marks.push(Object.fromEntries(Object.entries(t[4]).map(([k, v]) => [k, Math.round(v)])));
		out.filter_ms.push(Math.round(f));
		out.search_ready_ms.push(Math.round(ready));
		out.search_ms.push(Math.round(s));
		out.rows_failed = nf;
		out.rows_search = ns;
		out.requests += requests;
		await send('Target.closeTarget', { targetId });
	}
	console.log(JSON.stringify(out));
	ws.close();
}

function stop(rc) {
	clearTimeout(killer);
	proc.on('exit', () => {
		// Chromium's helpers may still be writing into the profile as it goes:
		// retry, and never let the clean-up fail a measurement.
		try {
			fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
		} catch (e) { /* a temporary directory left behind */ }
		process.exit(rc);
	});
	proc.kill();
}

main().then(() => stop(0), (e) => { console.error('html_load: ' + e.message); stop(1); });
