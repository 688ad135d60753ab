// Stand-in for gifsockets-middleware: the real one draws req.body as a gif frame and pushes it
// to every open image; this one answers with the text it would draw.
exports.writeTextToImages = function writeTextToImages(req, res) {
  var text = String(req.body || '');
  res.setHeader('Content-Type', 'text/plain');
  res.end('frame: ' + text + '\n');
};
