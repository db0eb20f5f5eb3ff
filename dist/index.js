import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
process.env.RUNNER_DEBUG==="1"&&process.setSourceMapsEnabled(!0);import("./main-MY4IS5BD.js").then(({run:e})=>e());
//# sourceMappingURL=index.js.map
