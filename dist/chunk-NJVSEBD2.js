import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url); const __dirname = import.meta.dirname;
var e=["wait","cancel","fail"],n=["rollback","cancel","none"],o=["Refresh","Ignore","Wait"],t=["Terminate","Ignore","Wait"],r=3600,a=10,c=3600;export{e as a,n as b,o as c,t as d,r as e,a as f,c as g};
//# sourceMappingURL=chunk-NJVSEBD2.js.map
