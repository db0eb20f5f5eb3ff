import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{b as n}from"./chunk-T3JLHDNE.js";import{l as o,t as m}from"./chunk-LKQW75FL.js";var l=o(n,"ElasticLoadBalancing_v10","ElasticLoadBalancingV2Client",m),s={},d=(t,a,i,c)=>[];export{l as a,s as b,d as c};
//# sourceMappingURL=chunk-DUNXAO5E.js.map
