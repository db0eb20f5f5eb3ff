import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{b as t,g as r}from"./chunk-ZZVNRXY4.js";import{l as o,t as m}from"./chunk-IUHZLUR3.js";var n=o(t,"AutoScaling_2011_01_01","AutoScalingClient",m),e={},i=(p,s,a,l)=>[];var c=class extends n(e,i,"DescribeAutoScalingGroups",r){};export{n as a,e as b,i as c,c as d};
//# sourceMappingURL=chunk-FTYLVUUC.js.map
