// The ringkv dashboard: polls /api/cluster every second, draws the ring, the node table and each node's request
// rate and p99 over the last minutes (history kept here, in the page). Plain DOM and SVG, no libraries.
'use strict';

const POLL_MILLIS = 1000;
const HISTORY_POINTS = 300; // five minutes at one poll a second
const PALETTE = ['#3b82c4', '#e07b39', '#8e5cc4', '#2aa198', '#c4407b', '#7a9a01', '#b58900', '#5c6bc0',
  '#d2691e', '#008b8b', '#a0522d', '#6a5acd'];
const SVG = 'http://www.w3.org/2000/svg';
const TWO_64 = 18446744073709551616;

const history = new Map(); // node id -> [{rps, p99}]
let lastSuccess = 0;

function el(tag, attributes, ...children) {
  const element = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function nodeAttributes(node, extra) {
  return Object.assign({'data-node': node.id, 'data-state': node.state, 'data-liveness': node.liveness}, extra);
}

function colours(nodes) {
  const ids = nodes.map(n => n.id).sort();
  const map = new Map();
  ids.forEach((id, i) => map.set(id, PALETTE[i % PALETTE.length]));
  return map;
}

// A token's place on the circle: 0 at the top, clockwise, Long.MIN_VALUE to Long.MAX_VALUE all the way round.
function angleOf(token) {
  return (token / TWO_64 + 0.5) * 2 * Math.PI;
}

function point(cx, cy, r, angle) {
  return [cx + r * Math.sin(angle), cy - r * Math.cos(angle)];
}

function arcPath(cx, cy, r, from, to) {
  let sweep = to - from;
  if (sweep <= 0) sweep += 2 * Math.PI;
  if (sweep >= 2 * Math.PI - 1e-6) {
    // a whole circle: two half arcs
    const [x1, y1] = point(cx, cy, r, 0);
    const [x2, y2] = point(cx, cy, r, Math.PI);
    return `M${x1},${y1} A${r},${r} 0 1 1 ${x2},${y2} A${r},${r} 0 1 1 ${x1},${y1}`;
  }
  const [x1, y1] = point(cx, cy, r, from);
  const [x2, y2] = point(cx, cy, r, from + sweep);
  return `M${x1.toFixed(2)},${y1.toFixed(2)} A${r},${r} 0 ${sweep > Math.PI ? 1 : 0} 1 ${x2.toFixed(2)},${y2.toFixed(2)}`;
}

function drawRing(cluster, palette) {
  const svg = document.getElementById('ring');
  svg.replaceChildren();
  const cx = 200, cy = 200, r = 150;
  svg.append(el('svg:circle', {cx, cy, r, fill: 'none', stroke: '#e3e7ec', 'stroke-width': 24}));
  const owners = [];
  for (const node of cluster.nodes) {
    if ((node.state === 'NORMAL' || node.state === 'LEAVING') && node.tokens.length > 0) {
      for (const token of node.tokens) owners.push({token, node});
    }
  }
  owners.sort((a, b) => a.token - b.token);
  // each token owns the range from the token before it (exclusive) to itself
  owners.forEach((owner, i) => {
    const previous = owners[(i + owners.length - 1) % owners.length];
    const from = owners.length === 1 ? 0 : angleOf(previous.token);
    const to = owners.length === 1 ? 2 * Math.PI : angleOf(owner.token);
    svg.append(el('svg:path', nodeAttributes(owner.node, {
      d: arcPath(cx, cy, r, from, to), fill: 'none', stroke: palette.get(owner.node.id), 'stroke-width': 24,
      opacity: owner.node.liveness === 'DOWN' ? 0.35 : 1, class: 'range'
    }), el('svg:title', {}, `${owner.node.id}: range ending at token ${owner.token}`)));
  });
  // range boundaries, so neighbouring ranges of one node stay visible as separate vnodes
  for (const owner of owners) {
    const [x1, y1] = point(cx, cy, r - 12, angleOf(owner.token));
    const [x2, y2] = point(cx, cy, r + 12, angleOf(owner.token));
    svg.append(el('svg:line', {x1, y1, x2, y2, stroke: '#fff', 'stroke-width': 1}));
  }
  // a JOINING node's tokens, outside the ring: the ranges it is taking over
  for (const node of cluster.nodes) {
    if (node.state !== 'JOINING') continue;
    for (const token of node.tokens) {
      const [x1, y1] = point(cx, cy, r + 16, angleOf(token));
      const [x2, y2] = point(cx, cy, r + 26, angleOf(token));
      svg.append(el('svg:line', nodeAttributes(node, {x1, y1, x2, y2, stroke: palette.get(node.id),
        'stroke-width': 3, class: 'joining-token'})));
    }
  }
  if (owners.length === 0) {
    svg.append(el('svg:text', {x: cx, y: cy, 'text-anchor': 'middle', fill: '#6b7785'}, 'no ring yet'));
  }
  drawMarkers(svg, cluster, palette, cx, cy);
}

function drawMarkers(svg, cluster, palette, cx, cy) {
  const nodes = cluster.nodes.filter(n => n.state !== 'LEFT');
  const radius = nodes.length === 1 ? 0 : 78;
  nodes.forEach((node, i) => {
    const angle = 2 * Math.PI * i / nodes.length;
    const [x, y] = point(cx, cy, radius, angle);
    const liveness = {ALIVE: '#2e9d4f', SUSPECT: '#e0a100', DOWN: '#d33a2c'}[node.liveness] || '#9aa5b1';
    const marker = el('svg:g', nodeAttributes(node, {class: 'marker'}),
      el('svg:circle', {cx: x, cy: y - 8, r: 13, fill: liveness, stroke: palette.get(node.id), 'stroke-width': 4}),
      el('svg:text', {x, y: y + 20, 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 600, fill: '#1f2933'},
        node.id + (node.id === cluster.self ? ' \u2605' : '')),
      el('svg:text', {x, y: y + 34, 'text-anchor': 'middle', 'font-size': 11, fill: '#6b7785'},
        node.state + ' \u00b7 ' + node.liveness),
      el('svg:title', {}, `${node.id} ${node.state} ${node.liveness}`));
    svg.append(marker);
  });
}

function percent(share) {
  return (share * 100).toFixed(1) + ' %';
}

function latency(micros) {
  if (micros === null || micros === undefined) return '\u2013';
  if (micros < 1000) return micros + ' \u00b5s';
  if (micros < 1000000) return (micros / 1000).toFixed(micros < 10000 ? 2 : 1) + ' ms';
  return (micros / 1000000).toFixed(2) + ' s';
}

function p99Text(stats) {
  if (!stats) return '\u2013';
  return stats.p99OverRange ? '> 10 s' : latency(stats.p99Micros);
}

function rate(value) {
  if (value === null || value === undefined) return '\u2013';
  return value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(1);
}

function progress(done, total, text) {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  return el('span', {}, el('span', {class: 'bar'}, el('b', {style: `width:${(share * 100).toFixed(0)}%`})), text);
}

function streamingCell(node) {
  if (!node.streaming) return el('span', {class: 'muted'}, '\u2013');
  const match = /^(\d+)\/(\d+)/.exec(node.streaming);
  return match ? progress(+match[1], +match[2], node.streaming) : node.streaming;
}

function repairCell(stats) {
  if (!stats) return el('span', {class: 'muted'}, '\u2013');
  if (stats.repairing) return progress(stats.repairDone, stats.repairTotal, `${stats.repairDone}/${stats.repairTotal}`);
  return el('span', {class: 'muted'}, stats.repairTotal > 0 ? `idle (last ${stats.repairDone}/${stats.repairTotal})` : 'idle');
}

function drawTable(cluster, palette) {
  const body = document.querySelector('#nodes tbody');
  body.replaceChildren(...cluster.nodes.map(node => {
    const stats = node.stats;
    return el('tr', nodeAttributes(node, {class: node.liveness}),
      el('td', {title: `peers on ${node.address}, clients on ${node.clientAddress}`},
        el('span', nodeAttributes(node, {class: 'node-id'}), el('i', {style: `background:${palette.get(node.id)}`}),
          node.id, node.id === cluster.self ? el('small', {}, 'this node') : null),
        el('div', {class: 'address'}, node.clientAddress)),
      el('td', {}, el('span', {class: 'badge ' + node.state}, node.state)),
      el('td', {}, el('span', {class: 'badge ' + node.liveness}, node.liveness)),
      el('td', {}, node.zone + ' / ' + node.rack),
      el('td', {class: 'num'}, percent(node.owns)),
      el('td', {class: 'num'}, node.load),
      el('td', {class: 'num'}, node.records === null ? '?' : node.records.toLocaleString('en')),
      el('td', {class: 'num'}, stats ? rate(stats.rps) : '\u2013'),
      el('td', {class: 'num'}, p99Text(stats)),
      el('td', {class: 'num'}, stats ? stats.hintsPending.toLocaleString('en') : '\u2013'),
      el('td', {}, streamingCell(node)),
      el('td', {}, repairCell(stats)));
  }));
}

function remember(cluster) {
  const known = new Set();
  for (const node of cluster.nodes) {
    known.add(node.id);
    const points = history.get(node.id) || [];
    const down = node.liveness === 'DOWN' || !node.stats;
    points.push({
      rps: down ? null : node.stats.rps,
      p99: down || node.stats.p99Micros === null ? null : node.stats.p99Micros
    });
    if (points.length > HISTORY_POINTS) points.splice(0, points.length - HISTORY_POINTS);
    history.set(node.id, points);
  }
  for (const id of [...history.keys()]) {
    if (!known.has(id)) history.delete(id);
  }
}

function sparkline(values, colour) {
  const width = 300, height = 44;
  const svg = el('svg:svg', {viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none'});
  const known = values.filter(v => v !== null);
  const max = known.length ? Math.max(...known) || 1 : null;
  // a short history fills the last minute's width, a longer one the whole chart
  const span = Math.min(HISTORY_POINTS, Math.max(60, values.length));
  const step = width / (span - 1);
  const offset = span - values.length;
  let d = '';
  let drawing = false;
  values.forEach((v, i) => {
    if (v === null) { drawing = false; return; }
    const x = ((offset + i) * step).toFixed(1);
    const y = (height - 2 - (v / max) * (height - 6)).toFixed(1);
    d += (drawing ? 'L' : 'M') + x + ',' + y;
    drawing = true;
  });
  svg.append(el('svg:line', {x1: 0, y1: height - 1, x2: width, y2: height - 1, stroke: '#e3e7ec'}));
  if (d) svg.append(el('svg:path', {d, fill: 'none', stroke: colour, 'stroke-width': 1.5,
    'vector-effect': 'non-scaling-stroke'}));
  return {svg, max};
}

function drawCharts(cluster, palette) {
  const charts = document.getElementById('charts');
  charts.replaceChildren(...cluster.nodes.map(node => {
    const points = history.get(node.id) || [];
    const rates = sparkline(points.map(p => p.rps), palette.get(node.id));
    const p99s = sparkline(points.map(p => p.p99), '#52606d');
    return el('div', nodeAttributes(node, {class: 'chart'}),
      el('div', {class: 'title'}, el('span', {}, node.id), el('span', {class: 'muted'}, node.state + ' \u00b7 ' + node.liveness)),
      el('div', {class: 'label'}, el('span', {}, 'req/s'), el('span', {}, rates.max === null ? '\u2013' : 'max ' + rate(rates.max))),
      rates.svg,
      el('div', {class: 'label'}, el('span', {}, 'p99'), el('span', {}, p99s.max === null ? '\u2013' : 'max ' + latency(p99s.max))),
      p99s.svg);
  }));
}

function render(cluster) {
  const palette = colours(cluster.nodes);
  const alive = cluster.nodes.filter(n => n.liveness === 'ALIVE').length;
  const total = cluster.nodes.reduce((sum, n) => sum + (n.liveness !== 'DOWN' && n.stats ? n.stats.rps : 0), 0);
  document.getElementById('summary').textContent = `${cluster.nodes.length} nodes, ${cluster.ringNodes} in the ring, `
    + `${alive} alive \u00b7 ${rate(total)} req/s in all \u00b7 as seen by ${cluster.self}`
    + (cluster.ready ? '' : ` \u00b7 not serving: ${cluster.loading}`);
  drawRing(cluster, palette);
  drawTable(cluster, palette);
  drawCharts(cluster, palette);
}

function showStatus(text, stale) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.className = stale ? 'status stale' : 'status';
}

async function poll() {
  try {
    const response = await fetch('/api/cluster', {cache: 'no-store'});
    if (!response.ok) throw new Error('HTTP ' + response.status);
    const cluster = await response.json();
    remember(cluster);
    render(cluster);
    lastSuccess = Date.now();
    showStatus('updated ' + new Date(cluster.time).toLocaleTimeString('en-GB'), false);
  } catch (error) {
    const since = lastSuccess ? ` (last update ${Math.round((Date.now() - lastSuccess) / 1000)} s ago)` : '';
    showStatus('cannot reach this node: ' + error.message + since, true);
  } finally {
    setTimeout(poll, POLL_MILLIS);
  }
}

document.getElementById('minutes').textContent = String(HISTORY_POINTS * POLL_MILLIS / 60000);
poll();
