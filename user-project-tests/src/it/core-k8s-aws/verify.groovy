// geneva-core, geneva-k8s and geneva-cloud-aws without geneva-ray: the user's program ran, computed all
// 300 rows right on the default executor (threads: no embedded Ray came with geneva-k8s) and again on
// threads chosen for one backfill; no Ray class is loadable, and packaging this classpath for a Ray
// job fails naming geneva-ray.
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
assert report['eksAuth.built'] == 'true'
assert report['manifests.eksAnnotation'] == 'true'
assert report['ray.absent'] == 'true'
assert report['rayExecutor.absent'] == 'true'
assert report['jobPackage.namesGenevaRay'] == 'true'
return true
