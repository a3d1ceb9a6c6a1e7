// geneva-core only (the thread executor): the user's program ran, computed all 300 rows right on the default
// executor (threads) and again on threads chosen for one backfill.
def report = new Properties()
new File(basedir, 'target/backfill.properties').withInputStream { report.load(it) }
assert report.executor == 'threads'
assert report.rowsProcessed == '300'
assert report.fragments == '3'
assert report['text_length.right'] == '300'
assert report['text_length.wrong'] == '0'
assert report['threads.executor'] == 'threads'
assert report['threads.rowsProcessed'] == '300'
assert report['text_length_threads.right'] == '300'
assert report['text_length_threads.wrong'] == '0'
return true
