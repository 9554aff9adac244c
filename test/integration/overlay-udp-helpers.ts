// UDP endpoints for the mesh tests (busybox nc has no UDP): tiny node
// scripts started inside a namespace with nsenter.

/** A UDP server answering every datagram with `reply`. */
export function udpEchoScript(port: number, reply: string): string {
  return `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(${JSON.stringify(reply)},r.port,r.address));s.bind(${port},()=>console.log('ready'));`;
}

/** A UDP client sending one datagram and printing the reply (exit 1 after 2 s). */
export function udpAskScript(address: string, port: number): string {
  return `const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>process.exit(1),2000);s.on('message',(m)=>{clearTimeout(t);console.log(m.toString());s.close();});s.send('hi',${port},${JSON.stringify(address)});`;
}
