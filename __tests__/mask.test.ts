import { secretMasker } from '../src/mask';

describe('registering a secret with the runner', () => {
  it('registers it on a runner (GITHUB_ACTIONS=true)', () => {
    const registered: string[] = [];
    secretMasker({ GITHUB_ACTIONS: 'true' }, (value) => registered.push(value))('s3cret');
    expect(registered).toEqual(['s3cret']);
  });

  it.each([{}, { GITHUB_ACTIONS: '' }, { GITHUB_ACTIONS: 'false' }, { CI: 'true' }])(
    'does nothing off a runner (%p): ::add-mask:: would print the secret in clear',
    (env) => {
      const registered: string[] = [];
      secretMasker(env, (value) => registered.push(value))('s3cret');
      expect(registered).toEqual([]);
    },
  );
});
