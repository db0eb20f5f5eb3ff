import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{a as t,b as m,c as o}from"./chunk-DUNXAO5E.js";import{g as r}from"./chunk-T3JLHDNE.js";import"./chunk-LKQW75FL.js";import"./chunk-6AUEZKQ3.js";import"./chunk-RFV5C3MZ.js";import"./chunk-TBNWRXRL.js";var e=class extends t(m,o,"DescribeTargetHealth",r){};export{e as DescribeTargetHealthCommand};
//# sourceMappingURL=elbv2Commands-H4DKXDVP.js.map
