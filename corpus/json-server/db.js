// The data of the json-server app: a function, so that each start gets a fresh in-memory copy
// (json-server keeps an object source in memory and never writes it to disk).
module.exports = function data() {
  return {
    posts: [
      { id: 1, title: 'json-server', author: 'typicode' },
      { id: 2, title: 'lowdb', author: 'typicode' }
    ],
    comments: [{ id: 1, body: 'some comment', postId: 1 }],
    profile: { name: 'typicode' }
  };
};
