import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{a as r,b as s,c as m}from"./chunk-FTYLVUUC.js";import{h as e}from"./chunk-ZZVNRXY4.js";var o=class extends r(s,m,"DescribeInstanceRefreshes",e){};export{o as a};
//# sourceMappingURL=chunk-XFHBIRYN.js.map
