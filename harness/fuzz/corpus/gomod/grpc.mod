module google.golang.org/grpc

go 1.11

require (
	github.com/cncf/udpa/go v0.0.0-20191209042840-269d4d468f6f
	github.com/envoyproxy/go-control-plane v0.9.4
	github.com/golang/glog v0.0.0-20160126235308-23def4e6c14b
	github.com/golang/protobuf v1.4.1
	github.com/google/go-cmp v0.5.0
	github.com/google/uuid v1.1.2
	golang.org/x/net v0.0.0-20190311183353-d8887717615a
	golang.org/x/oauth2 v0.0.0-20180821212333-d2e6202438be
	golang.org/x/sys v0.0.0-20190215142949-d0b11bdaac8a
	google.golang.org/genproto v0.0.0-20200526211855-cb27e3aa2013
	google.golang.org/protobuf v1.25.0
)
