// Name resolution for the emulated region's load balancers and DB instances, loaded with
// `node --require` into the action's process (runAction) by tests and the demo: the stand-in for
// public DNS, as an /etc/hosts entry would be. Names listed in the files HA_EMULATED_HOSTS_FILE
// names (separated as PATH is; written by the region's data plane and database, "<loopback
// address> <DNS name>" per line, re-read on every lookup) resolve to their loopback address;
// every other name resolves as usual.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload is CommonJS by nature */
const dns = require('node:dns');
const { readFileSync } = require('node:fs');
const { delimiter } = require('node:path');

const hostsFiles = (process.env.HA_EMULATED_HOSTS_FILE ?? '').split(delimiter).filter(Boolean);
const systemLookup = dns.lookup;

function hostsText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function emulatedAddress(hostname) {
  for (const line of hostsFiles.map(hostsText).join('\n').split('\n')) {
    const [address, name] = line.trim().split(/\s+/);
    if (name && name.toLowerCase() === String(hostname).toLowerCase()) return address;
  }
  return undefined;
}

dns.lookup = function lookup(hostname, options, callback) {
  const address = emulatedAddress(hostname);
  if (address === undefined) return systemLookup.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [{ address, family: 4 }]) : done(null, address, 4)));
  return undefined;
};
