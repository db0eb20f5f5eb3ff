import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{b as n}from"./chunk-2G66ZATC.js";import{l as o,t as m}from"./chunk-IUHZLUR3.js";var l=o(n,"ElasticLoadBalancing_v10","ElasticLoadBalancingV2Client",m),s={},d=(t,a,i,c)=>[];export{l as a,s as b,d as c};
//# sourceMappingURL=chunk-JAUMBMAM.js.map
