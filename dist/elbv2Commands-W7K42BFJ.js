import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{a as t,b as m,c as o}from"./chunk-JAUMBMAM.js";import{g as r}from"./chunk-2G66ZATC.js";import"./chunk-IUHZLUR3.js";import"./chunk-3THDLS62.js";import"./chunk-34EMISYP.js";import"./chunk-TBNWRXRL.js";var e=class extends t(m,o,"DescribeTargetHealth",r){};export{e as DescribeTargetHealthCommand};
//# sourceMappingURL=elbv2Commands-W7K42BFJ.js.map
