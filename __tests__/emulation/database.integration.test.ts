/**
 * The emulated region's database as a suite asks for it (`startEmulatedRegion({ database: true })`):
 * a DB instance created through the real AWS CLI (the project has no RDS SDK client) resolves, in
 * a Node process given the region's `resolverEnv`, to its PostgreSQL server's loopback address,
 * and that server speaks TLS with a certificate for the endpoint signed by the CA the region names.
 * What the server does with connections is specified by emulation/region/test_database.py.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { promisify } from 'node:util';
import {
  EMULATED_CREDENTIALS,
  startEmulatedRegion,
  type EmulatedDatabaseInstance,
  type EmulatedRegion,
} from '../../emulation/region';

const run = promisify(execFile);
const AWS_CLI = join(__dirname, '../../.venv/bin/aws');
/** PostgreSQL's SSLRequest: length 8, then the code 1234.5679 asks the server to start TLS. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

let region: EmulatedRegion;

beforeAll(async () => {
  region = await startEmulatedRegion({ database: true });
});

afterAll(async () => {
  await region.stop();
});

async function createInstance(identifier: string): Promise<EmulatedDatabaseInstance> {
  await run(
    AWS_CLI,
    [
      'rds',
      'create-db-instance',
      ...['--db-instance-identifier', identifier, '--engine', 'postgres', '--engine-version', '15.7'],
      ...['--db-instance-class', 'db.t3.micro', '--master-username', 'app', '--manage-master-user-password'],
      '--multi-az',
    ],
    {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: region.endpoint,
        AWS_DEFAULT_REGION: region.region,
        AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
      },
    },
  );
  const deadline = Date.now() + 90_000;
  for (;;) {
    const instance = (await region.database()).instances[identifier];
    if (instance?.status === 'available') return instance;
    if (instance?.status === 'failed' || Date.now() > deadline)
      throw new Error(`${identifier} did not become available: ${JSON.stringify(instance)}`);
    await new Promise((resolveSoon) => setTimeout(resolveSoon, 100));
  }
}

/** How a Node process started with the region's resolver environment resolves `name`. */
async function resolvedByChild(name: string): Promise<string> {
  const script = `require('node:dns').lookup(process.argv[1], (error, address) => {
    if (error) throw error;
    process.stdout.write(address);
  });`;
  const { stdout } = await run(process.execPath, ['-e', script, name], {
    env: { ...process.env, ...region.resolverEnv },
  });
  return stdout;
}

/** Asks the server for TLS as libpq does, then verifies its certificate for `servername`. */
function tlsHandshake(instance: EmulatedDatabaseInstance, servername: string, ca: Buffer): Promise<void> {
  return new Promise((resolveHandshake, reject) => {
    const tcp: Socket = connectTcp(instance.port, instance.address, () => tcp.write(SSL_REQUEST));
    tcp.once('error', reject);
    tcp.once('data', (answer) => {
      if (answer.toString() !== 'S') {
        reject(new Error(`the server answered ${JSON.stringify(answer.toString())} to SSLRequest`));
        return;
      }
      const secure = connectTls({ socket: tcp, servername, ca }, () => {
        secure.end();
        resolveHandshake();
      });
      secure.once('error', reject);
    });
  });
}

test('the endpoint resolves to its server for the action, which proves its name with the region CA', async () => {
  const instance = await createInstance('orders');
  expect(instance.address).toMatch(/^127\./);
  expect(instance.endpoint).toMatch(/^orders\..*\.rds\.amazonaws\.com$/);
  await expect(resolvedByChild(instance.endpoint)).resolves.toBe(instance.address);

  const ca = readFileSync((await region.database()).caFile);
  await expect(tlsHandshake(instance, instance.endpoint, ca)).resolves.toBeUndefined();
  await expect(tlsHandshake(instance, 'another.example.com', ca)).rejects.toThrow(/altnames/);
});

test('the database state is refused, by name, to a region started without it', async () => {
  const plain = await startEmulatedRegion();
  try {
    await expect(plain.database()).rejects.toThrow('without its database (database option)');
  } finally {
    await plain.stop();
  }
});
