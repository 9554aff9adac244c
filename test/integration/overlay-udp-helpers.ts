// UDP endpoints for the mesh tests (busybox nc has no UDP): tiny node
// scripts started inside a namespace with nsenter.

/** A UDP server answering every datagram with `reply`. */
export function udpEchoScript(port: number, reply: string): string {
  return `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(${JSON.stringify(reply)},r.port,r.address));s.bind(${port},()=>console.log('ready'));`;
}

/**
 * A UDP client that asks `count` times, each from a fresh socket (a new
 * conntrack flow, so a new balancing decision), waiting at most 2 s per
 * answer, and prints the answers as a JSON array (null for a timeout).
 */
export function udpAskScript(address: string, port: number, count: number): string {
  return `const d=require('dgram');const out=[];const ask=(i)=>{if(i===${count}){console.log(JSON.stringify(out));return;}
const s=d.createSocket('udp4');const t=setTimeout(()=>{out.push(null);s.close();ask(i+1);},2000);
s.on('message',(m)=>{clearTimeout(t);out.push(m.toString());s.close();ask(i+1);});s.send('hi',${port},${JSON.stringify(address)});};ask(0);`;
}
