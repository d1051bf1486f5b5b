// PostGraphile 5 needs Node 22's Promise.withResolvers; loaded with NODE_OPTIONS=--require for its process only.
Promise.withResolvers ??= function withResolvers() { let resolve, reject; const promise = new this((res, rej) => { resolve = res; reject = rej; }); return { promise, resolve, reject }; };
