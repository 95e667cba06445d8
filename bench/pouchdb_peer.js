// The PouchDB peer of bench/bench_sync.py: a CouchDB-protocol server (express-pouchdb, LevelDB) and a PouchDB
// client (LevelDB) replicating documents into it over HTTP on loopback, in two processes as ours are.
//
//   node pouchdb_peer.js server DIR            listens on a free loopback port; prints {"port", "stats"}
//   node pouchdb_peer.js client DIR URL DOCS   loads DOCS (JSON lines) into a local PouchDB (seeding, timed
//                                              apart), replicates it to URL/bench, prints {"seed_s", "seconds"}
//
// The server counts what crossed its sockets (bytes read = up, written = down: HTTP headers and bodies as sent,
// compressed or not) and the requests; GET /stats and POST /reset on the second port it printed ("stats")
// read and zero them, so those do not count. Neither side fsyncs (LevelDB's default): the reference.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const readline = require("readline");

const PouchDB = require("pouchdb");

function serve(dir) {
  const express = require("express");
  fs.mkdirSync(path.join(dir, "server"), { recursive: true });
  const Server = PouchDB.defaults({ prefix: path.join(path.resolve(dir), "server") + path.sep });
  const app = express();
  let requests = 0;
  app.use((req, res, next) => {
    requests += 1;
    next();
  });
  app.use("/", require("express-pouchdb")(Server, { mode: "minimumForPouchDB", inMemoryConfig: true }));
  const sockets = new Set();
  let closedUp = 0;
  let closedDown = 0;
  const server = http.createServer(app);
  server.keepAliveTimeout = 60000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      closedUp += socket.bytesRead;
      closedDown += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  const totals = () => {
    let up = closedUp;
    let down = closedDown;
    for (const s of sockets) {
      up += s.bytesRead;
      down += s.bytesWritten;
    }
    return { up, down };
  };
  let base = { up: 0, down: 0, requests: 0 };
  const control = http.createServer((req, res) => {
    const now = totals();
    if (req.method === "POST") {
      base = { up: now.up, down: now.down, requests };
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ up: now.up - base.up, down: now.down - base.down, requests: requests - base.requests }));
  });
  server.listen(0, "127.0.0.1", () => {
    control.listen(0, "127.0.0.1", () => {
      console.log(JSON.stringify({ port: server.address().port, stats: control.address().port }));
    });
  });
}

async function client(dir, url, docsFile) {
  const local = new PouchDB(path.join(dir, "client"));
  const t0 = process.hrtime.bigint();
  const lines = readline.createInterface({ input: fs.createReadStream(docsFile), crlfDelay: Infinity });
  let chunk = [];
  for await (const line of lines) {
    if (!line) continue;
    chunk.push(JSON.parse(line));
    if (chunk.length === 1000) {
      await local.bulkDocs(chunk);
      chunk = [];
    }
  }
  if (chunk.length) await local.bulkDocs(chunk);
  const t1 = process.hrtime.bigint();
  const result = await local.replicate.to(url + "/bench", { batch_size: 100 });
  const t2 = process.hrtime.bigint();
  if (!result.ok || result.docs_written !== (await local.info()).doc_count) {
    throw new Error("replication incomplete");
  }
  console.log(
    JSON.stringify({
      seed_s: Number(t1 - t0) / 1e9,
      seconds: Number(t2 - t1) / 1e9,
      docs: result.docs_written,
    })
  );
}

const [mode, dir, url, docs] = process.argv.slice(2);
if (mode === "server") {
  serve(dir);
} else {
  client(dir, url, docs).catch((err) => {
    console.error(String(err));
    process.exit(1);
  });
}
