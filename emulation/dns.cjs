// Name resolution for the emulated region's load balancers, loaded with `node --require` into the
// action's process (runAction) by tests and the demo: the stand-in for public DNS, as an
// /etc/hosts entry would be. Names listed in the file HA_EMULATED_HOSTS_FILE (written by the
// region's data plane, "<loopback address> <DNS name>" per line, re-read on every lookup) resolve
// to their loopback address; every other name resolves as usual.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload is CommonJS by nature */
const dns = require('node:dns');
const { readFileSync } = require('node:fs');

const hostsFile = process.env.HA_EMULATED_HOSTS_FILE;
const systemLookup = dns.lookup;

function emulatedAddress(hostname) {
  if (!hostsFile) return undefined;
  let text = '';
  try {
    text = readFileSync(hostsFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
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
