import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{a,b,c,d,e,f,g}from"./chunk-F6LEOMJJ.js";import"./chunk-ICCIVKDS.js";import"./chunk-IUHZLUR3.js";import"./chunk-FB4NCOR5.js";import"./chunk-3THDLS62.js";import"./chunk-BDDIWAJ2.js";import"./chunk-34EMISYP.js";import"./chunk-TBNWRXRL.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
//# sourceMappingURL=dist-es-ZQEV7MJB.js.map
