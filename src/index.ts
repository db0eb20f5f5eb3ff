// A failure's stack is printed only with step debug logging (RUNNER_DEBUG=1, see reportFailure in
// main.ts): then the bundle's source maps are loaded, so the stack names src/ files and lines. Node
// parses a chunk's map as it compiles the chunk, which would cost every other run ~5 MiB of its
// 60 MiB start budget (bench/action-startup.ts measures both).
if (process.env.RUNNER_DEBUG === '1') process.setSourceMapsEnabled(true);

// A dynamic import, so the maps are on before the rest of the action is compiled.
void import('./main').then(({ run }) => run());
