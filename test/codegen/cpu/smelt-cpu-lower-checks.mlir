// RUN: smelt-opt %s --smelt-cpu-lower-checks | FileCheck %s

// Each cf.assert records its message in a thread-local pointer when its
// condition is false and nothing was recorded before, and execution goes on;
// equal messages share one constant.
// CHECK: llvm.mlir.global internal thread_local @__smelt_check_failure() {{.*}} : !llvm.ptr {
// CHECK-NEXT: %[[NULL:.+]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.return %[[NULL]] : !llvm.ptr
// CHECK-DAG: llvm.mlir.global private constant @__smelt_check_message_0("node 'A' (Add): dims do not broadcast\00")
// CHECK-DAG: llvm.mlir.global private constant @__smelt_check_message_1("other\00")
// CHECK-NOT: __smelt_check_message_2
// CHECK-LABEL: llvm.func @model
// CHECK-SAME: (%[[OK:.+]]: i1, %[[OK2:.+]]: i1)
// CHECK: %[[SLOT:.+]] = llvm.mlir.addressof @__smelt_check_failure
// CHECK: %[[MSG:.+]] = llvm.mlir.addressof @__smelt_check_message_0
// CHECK: %[[CUR:.+]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[FIRST:.+]] = llvm.icmp "eq" %[[CUR]], %{{.+}} : !llvm.ptr
// CHECK: %[[FAILED:.+]] = llvm.xor %[[OK]], %{{.+}} : i1
// CHECK: %[[TAKE:.+]] = llvm.and %[[FAILED]], %[[FIRST]] : i1
// CHECK: %[[NEW:.+]] = llvm.select %[[TAKE]], %[[MSG]], %[[CUR]] : i1, !llvm.ptr
// CHECK: llvm.store %[[NEW]], %[[SLOT]] : !llvm.ptr, !llvm.ptr
// CHECK: llvm.mlir.addressof @__smelt_check_message_1
// CHECK: llvm.mlir.addressof @__smelt_check_message_0
// CHECK-NOT: cf.assert
// CHECK: llvm.return
module {
  llvm.func @model(%ok: i1, %ok2: i1) {
    cf.assert %ok, "node 'A' (Add): dims do not broadcast"
    cf.assert %ok2, "other"
    cf.assert %ok2, "node 'A' (Add): dims do not broadcast"
    llvm.return
  }
}

