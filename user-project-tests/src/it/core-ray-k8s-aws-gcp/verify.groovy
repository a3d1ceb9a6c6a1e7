// geneva-core, geneva-ray, geneva-k8s, geneva-cloud-aws and geneva-cloud-gcp: the user's program ran, computed all 300 rows right on the default
// executor (ray-local) and again on threads chosen for one backfill.
def report = new Properties()
new File(basedir, 'target/backfill.properties').withInputStream { report.load(it) }
assert report.executor == 'ray-local'
assert report.rowsProcessed == '300'
assert report.fragments == '3'
assert report['text_length.right'] == '300'
assert report['text_length.wrong'] == '0'
assert report['threads.executor'] == 'threads'
assert report['threads.rowsProcessed'] == '300'
assert report['text_length_threads.right'] == '300'
assert report['text_length_threads.wrong'] == '0'
assert report['s3.keys'] == 'aws_access_key_id,aws_region,aws_secret_access_key'
assert report['manifests.eksAnnotation'] == 'true'
assert report['gcs.token'] == 'user-token'
return true
