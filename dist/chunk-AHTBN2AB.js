import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
import{b as p,f as c,g as i,h as a}from"./chunk-AXE2HJII.js";import{l as e,t as n}from"./chunk-IUHZLUR3.js";var o=e(p,"AmazonSSM","SSMClient",n),m={},r=(t,x,_,l)=>[];var s=class extends o(m,r,"CancelCommand",c){};var d=class extends o(m,r,"GetCommandInvocation",i){};var f=class extends o(m,r,"SendCommand",a){};export{s as a,d as b,f as c};
//# sourceMappingURL=chunk-AHTBN2AB.js.map
