// geneva-core, geneva-cloud-aws and geneva-cloud-gcp for their storage helpers: the user's program ran,
// computed all 300 rows right on the default executor (threads) and again on threads chosen for one
// backfill, built S3 and GCS storage options, and found no Kubernetes (geneva-k8s, fabric8) and no Ray
// on its class path.
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
assert report['s3.keys'] == 'aws_access_key_id,aws_region,aws_secret_access_key'
assert report['gcs.token'] == 'user-token'
assert report['fabric8.absent'] == 'true'
assert report['genevaK8s.absent'] == 'true'
assert report['ray.absent'] == 'true'
assert report['rayJobs.absent'] == 'true'
return true
