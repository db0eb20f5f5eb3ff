import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{a,b,c,d,e,f,g}from"./chunk-CAWXL4Q7.js";import"./chunk-O752JK4D.js";import"./chunk-LKQW75FL.js";import"./chunk-ILLLBX5Y.js";import"./chunk-6AUEZKQ3.js";import"./chunk-YTXJINRF.js";import"./chunk-RFV5C3MZ.js";import"./chunk-TBNWRXRL.js";export{f as ENV_ACCOUNT_ID,e as ENV_CREDENTIAL_SCOPE,d as ENV_EXPIRATION,a as ENV_KEY,b as ENV_SECRET,c as ENV_SESSION,g as fromEnv};
//# sourceMappingURL=dist-es-HMPN6UAG.js.map
